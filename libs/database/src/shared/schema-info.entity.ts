/**
 * `schema_info` exists in every owner's schema: it records the owner and the platform
 * version, and its presence proves to a readiness check that the owner's migrations ran.
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'schema_info' })
export class SchemaInfo {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  value!: string;
}
