/** The help text: every command, the environment and the exit codes (docs/cli.md has the long form). */
export const USAGE = `keyledger: operator CLI for the keyledger API

usage: keyledger <command> [options] [--json]

commands:
  status                                   provider, cache, breakers, signing freeze, keys, event store
  validate                                 end-to-end provider check (data key, encrypt, decrypt, sign, verify)
  keys list --tenant <id>
  keys show <keyId>
  keys create --tenant <id> --name <name> --purpose sign|encrypt|mac [--algorithm A] [--provider P]
              [--mode wrapped|provider-resident] [--rotation-period-days N]
  keys rotate <keyId>... [--if-match <etag>] | keys rotate --all
                                           --all: the API's rotate-all job, followed to the end
  keys disable|enable|cancel-deletion <keyId> [--if-match <etag>]
  keys schedule-deletion <keyId> [--pending-window-days 7..30]
  keys trim <keyId> --min-available-version N [--if-match <etag>]
                                           destroy the material of every version below N
  mac <keyId> (--message <text> | --message-file <path>) [--key-version N]
                                           HMAC with a mac key; prints the kl1mac. string
  freeze --reason <text>                   stop all signing (503 SIGNING_FROZEN)
  resume                                   lift the freeze
  break-glass request (--tenant <id> | --global) --justification <text> --incident <ref> [--ttl-minutes N]
  break-glass approve <sessionId>
  break-glass sign <sessionId> --justification <text> (--message <text> | --message-file <path> | --digest <b64>)
  break-glass close <sessionId> --reason <text>
  break-glass list [--state active] | break-glass show <sessionId>
  test-key-retrieval --tenant <id>         load the tenant's signing key through the provider
  diagnose [--out F] [--log-file F] [--log-lines N] [--env-file F] [--no-validate]
                                           tar.gz bundle: configuration (secrets redacted), health,
                                           status, validate, metrics, recent logs
  audit export|verify ...                  the auditor's commands (keyledger audit --help)
  views rebuild [--data-dir D] [--views-file F]
                                           offline: replay the whole event store into a fresh
                                           read-model file (status views), with a progress bar

options:
  --json             machine-readable output on stdout
  --url <url>        API base URL (default $KEYLEDGER_URL, else http://127.0.0.1:8080)
  --token-file <f>   read the bearer token from a file (default $KEYLEDGER_TOKEN)
  --timeout-ms <ms>  per-request timeout (default 10000)

exit codes: 0 ok; 1 operation failed or findings (API error, validate FAIL, status needs attention);
            2 usage error; 3 API unreachable or authentication/authorization failed (401/403)`;
