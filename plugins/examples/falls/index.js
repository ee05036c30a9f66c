// The worked example from plugins/README.md: a "falls" category written as a
// plain CommonJS module, so it runs from any folder with no build step. The
// core calls the factory with its own zod and defineCategory.
'use strict';

module.exports = ({ z, defineCategory }) => {
  const activities = [
    'STANDING_UP',
    'WALKING',
    'TRANSFER',
    'TOILETING',
    'BATHING_OR_SHOWERING',
    'GETTING_IN_OR_OUT_OF_BED',
    'STAIRS',
    'OTHER',
  ];
  const causes = [
    'WALKING_AID_OUT_OF_REACH',
    'UNSAFE_FOOTWEAR',
    'TRIP_HAZARD',
    'WET_FLOOR',
    'POOR_LIGHTING',
    'SENSOR_OR_CALL_ALARM_OFF',
    'UNSAFE_TRANSFER_TECHNIQUE',
    'OTHER',
  ];

  const details = z.object({
    activity: z.enum(activities).meta({ title: 'What the person was doing' }),
    nearlyCausedBy: z.enum(causes).meta({ title: 'What nearly caused the fall' }),
    personLostBalance: z
      .boolean()
      .meta({ title: 'Person lost balance', description: 'They stumbled or slid but did not reach the floor' }),
    takesAnticoagulants: z.boolean().default(false).meta({
      title: 'Takes anticoagulants',
      description: 'A fall would carry a higher risk of bleeding, e.g. warfarin, apixaban',
    }),
    fallsRiskAssessmentCurrent: z.boolean().meta({ title: 'Falls risk assessment up to date' }),
  });

  return defineCategory({
    key: 'falls',
    label: 'Falls',
    description:
      'A fall that nearly happened: a stumble, a walking aid out of reach, a trip hazard, an alarm switched off.',
    version: 1,
    details,
    example: {
      activity: 'STANDING_UP',
      nearlyCausedBy: 'WALKING_AID_OUT_OF_REACH',
      personLostBalance: true,
      fallsRiskAssessmentCurrent: true,
    },
    triage: [
      {
        id: 'lost-balance-on-anticoagulants',
        description: 'The person lost balance and takes anticoagulants: a nurse checks them the same day.',
        when: (report) => report.details.personLostBalance && report.details.takesAnticoagulants,
        sameDay: true,
        notify: ['on-call nurse'],
      },
      {
        id: 'alarm-off',
        description: 'A falls sensor or call alarm was off: a control failed, fix it today.',
        when: (report) => report.details.nearlyCausedBy === 'SENSOR_OR_CALL_ALARM_OFF',
        route: 'OPERATIONAL_FIX',
        sameDay: true,
      },
      {
        id: 'assessment-out-of-date',
        description: 'The falls risk assessment is out of date.',
        when: (report) => !report.details.fallsRiskAssessmentCurrent,
        route: 'OPERATIONAL_FIX',
        notify: ['clinical lead'],
      },
    ],
    gates: [
      { key: 'environment-made-safe', label: 'Hazard removed and walking aid within reach' },
      { key: 'staff-briefed', label: 'Staff briefed on the person’s mobility plan' },
      {
        key: 'falls-risk-assessment-reviewed',
        label: 'Falls risk assessment reviewed',
        appliesWhen: (report) => report.details.personLostBalance || !report.details.fallsRiskAssessmentCurrent,
      },
      {
        key: 'alarm-tested',
        label: 'Sensor or call alarm tested and back on',
        appliesWhen: (report) => report.details.nearlyCausedBy === 'SENSOR_OR_CALL_ALARM_OFF',
      },
    ],
    verification: [
      {
        method: 'SPOT_CHECK',
        description: 'Walking aid within reach and floor clear at unannounced checks',
        everyDays: 7,
        count: 4,
      },
      { method: 'RECORD_REVIEW', description: 'Falls risk assessments reviewed on time', everyDays: 30, count: 3 },
    ],
    similarity: ['personId', 'details.nearlyCausedBy'],
    contributingFactors: ['walking aid moved during cleaning', 'new footwear', 'night-time toileting'],
    workflowStages: ['ENVIRONMENT', 'HANDOVER'],
    standards: {
      fhirAdverseEventCategory: 'unsafe-physical-environment',
      lfpse: { eventType: 'patient-accident' },
      ahrq: { eventCategory: 'fall' },
    },
  });
};
