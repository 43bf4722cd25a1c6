# Shared by the deploy/bin scripts (sourced, not executed).

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(dirname "$DEPLOY_DIR")"
# shop_contract/ (the product API's request contract, shared by both apps) is imported from deploy/.
export PYTHONPATH="$DEPLOY_DIR${PYTHONPATH:+:$PYTHONPATH}"

log() {
  if [[ -t 2 ]]; then
    printf '\033[1m[tandem]\033[0m %s\n' "$*" >&2
  else
    printf '[tandem] %s\n' "$*" >&2
  fi
}

# Sets VENV to the virtualenv the apps run in. An existing $TANDEM_VENV is used as it is: the container
# images build theirs with only one app's requirements, and the local run has already called bin/venv.
use_venv() {
  if [[ -n "${TANDEM_VENV:-}" && -x "$TANDEM_VENV/bin/python" ]]; then
    VENV="$TANDEM_VENV"
  else
    VENV="$("$DEPLOY_DIR/bin/venv" | tail -n 1)"
  fi
  export TANDEM_VENV="$VENV"
}
