# Sourced before a README shell block by readme.api.spec.ts: stop at the first failing command or
# unset variable, and record each curl answer (its status, its body, then \036) in $CURL_LOG while
# printing the body as curl would.
set -euo pipefail
shopt -s inherit_errexit
curl() {
  local answer
  answer=$(command curl -w '\n%{http_code}' "$@")
  printf '%s\n%s\n\036\n' "${answer##*$'\n'}" "${answer%$'\n'*}" >> "$CURL_LOG"
  printf '%s' "${answer%$'\n'*}"
}
