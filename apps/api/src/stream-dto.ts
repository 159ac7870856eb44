/** Query and header of GET /v1/stream (server-sent events). */
import { z } from 'zod';
import { ReleaseId } from './release-dto.js';

export const StreamQuery = z.strictObject({ release: ReleaseId.optional() });
/** The id of the last event received (`<tx>-<id>`): the stream resumes after it. */
export const LastEventId = z
  .string()
  .regex(/^\d{1,20}-\d{1,20}$/, 'must be the id of an event received from this stream (<tx>-<id>)')
  .optional();
