/** POST /agent/v1/enrol: the one unauthenticated agent route (the token is the proof). */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { agentProtocol } from '@sessionrec/contracts';
import { decode } from '../http/validate';
import { EnrolService } from './enrol.service';

const { AGENT_BASE_PATH } = agentProtocol;

@Controller(AGENT_BASE_PATH)
export class EnrolController {
  constructor(private readonly enrolment: EnrolService) {}

  @Post('enrol')
  @HttpCode(201)
  enrol(@Body() body: unknown): Promise<agentProtocol.EnrolResponse> {
    return this.enrolment.enrol(decode(agentProtocol.enrolRequest, body, 'body'));
  }
}
