/** The dev stack's stand-in apps: reference SCIM servers configured from the connectors. */
export { startReferenceApps } from './reference-apps';
