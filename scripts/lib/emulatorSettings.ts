// The provider settings that point it at an emulator, from the emulator's info (emulator.json): once for the demo
// (npm start's stack config, the template placer's client) and for the tests (e2e stacks, in-process handlers).
// Keys and variables are the provider's own (the settings table of provider/config.ts).
import type { EmulatorInfo } from "../../emulator/index";

/** `pulumi config` keys: plain ones, and the OAuth client secret that is always set with --secret. */
export function emulatorStackConfig(info: EmulatorInfo): {
    plain: Record<string, string>;
    secret: Record<string, string>;
} {
    return {
        plain: {
            "qlik:region": info.region,
            "qlik:domain": info.domain,
            "qlik:clientId": info.oauthClient.clientId,
            "qlik:sourceTenantHost": info.sourceTenant.hostname,
            "qlik:endpointOverride": info.httpUrl,
        },
        secret: { "qlik:clientSecret": info.oauthClient.clientSecret },
    };
}

/** The same settings as the environment variables the provider reads in-process. */
export function emulatorProviderEnv(info: EmulatorInfo): Record<string, string> {
    return {
        QLIK_REGION: info.region,
        QLIK_DOMAIN: info.domain,
        QLIK_CLIENT_ID: info.oauthClient.clientId,
        QLIK_CLIENT_SECRET: info.oauthClient.clientSecret,
        QLIK_SOURCE_TENANT_HOST: info.sourceTenant.hostname,
        QLIK_ENDPOINT_OVERRIDE: info.httpUrl,
    };
}
