import { registerEnumType } from 'type-graphql';
import { enumOf } from '../domain/graphql-enums';

export const justCultureClasses = ['SYSTEM_ISSUE', 'HUMAN_ERROR', 'AT_RISK_BEHAVIOUR', 'RECKLESS_BEHAVIOUR'] as const;
export type JustCultureClassValue = (typeof justCultureClasses)[number];
export const JustCultureClass = enumOf(justCultureClasses);

registerEnumType(JustCultureClass, {
  name: 'JustCultureClass',
  description:
    'Just-culture classification: decides the response, not blame. Visible to triage leads and line management only.',
});

/** The proportionate response each classification calls for. */
export const justCultureResponse: Record<JustCultureClassValue, string> = {
  SYSTEM_ISSUE: 'Redesign the system: fix the process, equipment or environment that allowed it.',
  HUMAN_ERROR: 'Console and coach the member of staff, and redesign the system so the slip is harder to make.',
  AT_RISK_BEHAVIOUR: 'Supervise and coach, and remove the barriers or incentives that made the shortcut attractive.',
  RECKLESS_BEHAVIOUR: 'Formal action under the disciplinary policy, alongside any system fixes.',
};
