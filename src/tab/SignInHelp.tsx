import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from '@fluentui/react-components';
import type { Problem } from './api';

/**
 * What a person sees when Overt cannot sign them in: what happened and what to do, in plain words — never a
 * status code, a token's claim or a setting's name (the service's log has those for the administrator).
 */

export type SignInTrouble =
  /** Opened in a browser on its own, not as a tab in Teams, with no demo sign-in. */
  | 'not-in-teams'
  /** Teams would not give the tab a sign-in token (consent missing, SSO app misconfigured). */
  | 'no-token'
  /** A token was sent, and the service did not accept it (audience, tenant, expiry). */
  | 'not-accepted'
  /** Signed in, but nobody in Overt's staff list is this person. */
  | 'not-staff'
  /** The service could not be reached. */
  | 'unreachable';

/** Which trouble a failed `GET me` is, or undefined when it is some other problem. */
export function signInTrouble(
  problem: Problem,
  how: { inTeams: boolean; demo: boolean; tokenFailed: boolean },
): SignInTrouble | undefined {
  if (problem.status === 0) return 'unreachable';
  if (problem.status === 403) return 'not-staff';
  if (problem.status !== 401) return undefined;
  if (how.demo) return 'not-accepted';
  if (!how.inTeams) return 'not-in-teams';
  return how.tokenFailed ? 'no-token' : 'not-accepted';
}

const TEXT: Record<SignInTrouble, { title: string; body: string }> = {
  'not-in-teams': {
    title: 'Open Overt in Microsoft Teams',
    body: 'Overt signs you in with your Teams account, so it works only as a tab in Teams. Open Microsoft Teams, then Overt from your apps or from the tab your team has added.',
  },
  'no-token': {
    title: 'Teams could not sign you in to Overt',
    body: 'Close the Overt tab and open it again. If this message comes back, ask your IT service desk to check Overt’s single sign-on: it needs consent for your organisation.',
  },
  'not-accepted': {
    title: 'Overt could not confirm who you are',
    body: 'Close the Overt tab and open it again, so that Teams signs you in afresh. If this message comes back, ask your IT service desk to check that Overt accepts accounts from your organisation.',
  },
  'not-staff': {
    title: 'Overt does not know you yet',
    body: 'You are signed in, but you are not set up in Overt as a member of staff. Ask your Overt administrator to add you, with your role and team.',
  },
  unreachable: {
    title: 'Overt cannot be reached',
    body: 'Check your connection, then try again. If this keeps happening, tell your IT service desk.',
  },
};

export function SignInHelp({ trouble }: { trouble: SignInTrouble }) {
  const { title, body } = TEXT[trouble];
  return (
    <div style={{ padding: '12px clamp(12px, 2vw, 20px)' }}>
      <MessageBar intent={trouble === 'not-in-teams' ? 'info' : 'warning'} role="alert" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{title}</MessageBarTitle>
          {body}
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={() => window.location.reload()}>Try again</Button>
        </MessageBarActions>
      </MessageBar>
    </div>
  );
}
