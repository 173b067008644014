/** This SDK's version, sent as `Hello.client_version` (a test keeps it equal to package.json's). */
export const VERSION = '0.1.0';
