// Placeholder: replaced by the S3 test server start-up.
module.exports = async () => {};
