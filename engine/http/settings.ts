/**
 * `/api/v1/settings`: what the Temporal UI server tells the UI about itself. Write actions the
 * engine cannot perform (reset, batch operations, and updates until the engine has them) are
 * disabled here, so the UI hides their buttons instead of failing on click.
 */
export interface UiSettingsInput {
  /** The @temporalio/ui version served (the UI takes older code paths below 2.23). */
  uiVersion: string;
  defaultNamespace: string;
  /** Whether the engine implements UpdateWorkflowExecution. */
  updatesSupported: boolean;
}

export function uiSettings(input: UiSettingsInput): Record<string, unknown> {
  return {
    Auth: { Enabled: false, Options: null },
    BannerText: '',
    DefaultNamespace: input.defaultNamespace,
    ShowTemporalSystemNamespace: false,
    FeedbackURL: '',
    NotifyOnNewVersion: false,
    Codec: {
      Endpoint: '',
      PassAccessToken: false,
      IncludeCredentials: false,
      DefaultErrorMessage: '',
      DefaultErrorLink: '',
    },
    Version: input.uiVersion,
    DisableWriteActions: false,
    WorkflowTerminateDisabled: false,
    WorkflowCancelDisabled: false,
    WorkflowSignalDisabled: false,
    WorkflowUpdateDisabled: !input.updatesSupported,
    WorkflowResetDisabled: true,
    BatchActionsDisabled: true,
    // The UI's "start workflow" would start any type on any task queue of the dev stack: off.
    StartWorkflowDisabled: true,
    HideWorkflowQueryErrors: false,
    RefreshWorkflowCountsDisabled: false,
  };
}
