/** The shapes of the records a surface renders, as the workflow's queries and commands hand them out (a
 * surface takes them from here, never from the store). */
export type { Request, RequestStatus, Staff } from '../../store/records';
