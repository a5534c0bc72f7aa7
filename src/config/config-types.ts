import type { BackupMode } from '../core/backup-mode';

/** The configuration file after defaults are applied; mirrors config/backup-config.schema.json. */
export interface BackupConfigFile {
  BackupConfiguration: {
    DefaultBackupMode: BackupMode;
    TempDirectory: string;
    LocalBackupPath: string;
    NetworkBackupPaths: string[];
    LogDirectory: string;
    RetentionDays: Record<BackupMode, number>;
    CopyRetryCount: number;
    CopyRetryDelaySeconds: number;
    /** Put copies under a `<HOSTNAME>` subfolder of every network path and cloud prefix (default true). */
    HostSubfolder?: boolean;
  };
  ServiceConfiguration: {
    MaxServiceWaitSeconds: number;
    MaxWorkflowWaitSeconds: number;
    WorkflowPollSeconds: number;
    ForceStopWorkflows: boolean;
    StopServiceForExternalDB: boolean;
    /** 0 = never; else end a service stuck this long in StopPending. */
    ForceStopServiceAfterSeconds?: number;
  };
  MongoDBConfiguration: {
    Type: 'auto' | 'embedded' | 'self-managed';
    DumpTimeoutSeconds: number;
    EmbeddedMongoDB: { UseAlteryxService: boolean };
    SelfManagedMongoDB: {
      ConnectionString: string;
      Host: string;
      Port: number;
      Database: string;
      AuthDatabase: string;
      Username: string;
      UseCompression: boolean;
      MongoDumpPath: string;
      CredentialFile: string;
      SkipConnectivityCheck: boolean;
    };
  };
  FilesConfiguration: {
    BackupKeys: boolean;
    BackupConfigFile: boolean;
    BackupMongoPasswords: boolean;
    IncludeMetadata: boolean;
    /** %ProgramData%\Alteryx\Tools (connector tools) in Full and ConfigOnly, when it exists. Default true. */
    BackupConnectorTools?: boolean;
  };
  SecurityConfiguration: {
    /** Certificate files (.cer/.pem) or, on Windows, thumbprints in Cert:\\LocalMachine\\My. */
    EncryptSecretsTo: string[];
    RequireEncryptedSecrets: boolean;
  };
  ValidationConfiguration: {
    VerifyArchiveIntegrity: boolean;
    CalculateChecksums: boolean;
    MinimumBackupSizeMB: Record<BackupMode, number>;
  };
  NotificationConfiguration: {
    Enabled: boolean;
    SMTPServer: string;
    SMTPPort: number;
    UseSSL: boolean;
    Username: string;
    CredentialFile: string;
    FromAddress: string;
    ToAddresses: string[];
    OnlyOnFailure: boolean;
    AttachLog: boolean;
    LogLinesInBody: number;
  };
  CloudConfiguration: {
    AzureBlob: {
      Enabled: boolean;
      AccountName: string;
      ContainerName: string;
      EndpointUrl: string;
      Prefix: string;
      CredentialFile: string;
    };
    S3: {
      Enabled: boolean;
      Bucket: string;
      Region: string;
      EndpointUrl: string;
      ForcePathStyle: boolean;
      Prefix: string;
      AccessKeyId: string;
      CredentialFile: string;
      MultipartThresholdMB: number;
    };
  };
  AlteryxConfiguration: {
    ProgramDataPath: string;
    InstallPath: string;
    ServiceName: string;
    Nodes: NodeDefinition[];
    Platform: 'Windows' | 'Simulated';
    SimulatedHostRoot: string;
    /** node.exe for the PowerShell bridge (read there only); empty = module folder, PATH, $env:ALTERYXBACKUP_NODE. */
    NodePath: string;
  };
}

export type NodeRole = 'Controller' | 'Worker' | 'ServerUI';
export interface NodeDefinition {
  Hostname: string;
  Role: NodeRole;
}

/** Secrets arrive only on stdin from the PowerShell layer, never from the JSON file. */
export interface Secrets {
  MongoPassword?: string;
  SmtpPassword?: string;
  AzureStorageKey?: string;
  AzureSasToken?: string;
  S3SecretAccessKey?: string;
  /** Restore: PEM private key that opens the archive's CMS-encrypted secrets (issue 15). */
  DecryptionKey?: string;
  /** Restore: the controller token, already opened by the PowerShell layer (EnvelopedCms with a store or .pfx key). */
  ArchiveControllerToken?: string;
}

/**
 * The data model's ConfigurationObject: the file merged with parameters.
 * `file` keeps the whole validated file for the less common settings.
 */
export interface ResolvedConfig {
  configPath: string;
  file: BackupConfigFile;
  BackupMode: BackupMode;
  TempDirectory: string;
  LocalBackupPath: string;
  NetworkBackupPaths: string[];
  LogDirectory: string;
  RetentionDays: Record<BackupMode, number>;
  MaxServiceWait: number;
  MaxWorkflowWait: number;
  ForceStopWorkflows: boolean;
  StopServiceForExternalDB: boolean;
  /** As configured: 'auto' is resolved later from RuntimeSettings.xml. */
  MongoType: 'auto' | 'embedded' | 'self-managed';
  IncludeKeys: boolean;
  IncludeConfigFile: boolean;
  IncludeMongoPasswords: boolean;
  IncludeMetadata: boolean;
  VerifyArchive: boolean;
  CalculateChecksums: boolean;
  MinimumSizeMB: number;
  /** SecurityConfiguration.EncryptSecretsTo: where the archive's secrets are encrypted to (empty: plain text). */
  EncryptSecretsTo: string[];
  RequireEncryptedSecrets: boolean;
  /**
   * Certificates the PowerShell layer found in Cert:\\LocalMachine\\My for thumbprints in
   * EncryptSecretsTo (node cannot read the Windows store): upper-case thumbprint -> base64 DER.
   */
  certificateStore: Record<string, string>;
  secrets: Secrets;
}
