/** What the request cards show: the workflow's query of a request as a person may see it. */
export type { RequestView } from '../../workflow/queries/request';
