/** The dev stack's stand-in apps: reference SCIM servers configured from the connectors. */
export { isLocalHost, startReferenceApps, type ReferenceApps, type RemoteApp } from './reference-apps';
