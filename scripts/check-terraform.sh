#!/usr/bin/env bash
# Offline checks of the Terraform under deploy/terraform:
#   1. terraform fmt -check -recursive deploy/terraform
#   2. IAM policy inventory: every policy attribute is rendered from a module's
#      local.iam_policies (the map the env tests check for wildcard grants)
#   3. for each deploy/terraform/envs/*: init -backend=false, validate, test (mock_provider)
#
# Needs no AWS credentials. With the provider mirror in ${TF_PLUGIN_DIR:-/opt/tf-plugins}
# it needs no network either; without it, `terraform init` downloads hashicorp/aws.
# Skips (exit 0) when terraform is not installed. Leaves the work tree as it found it:
# .terraform data goes to a temporary TF_DATA_DIR, and a .terraform.lock.hcl that init
# creates is removed again.
#
# Usage: scripts/check-terraform.sh          (from anywhere)
#        CHECK_TERRAFORM_VERBOSE=1 scripts/check-terraform.sh   to print terraform's output
set -euo pipefail

if ! command -v terraform >/dev/null 2>&1; then
    echo "check-terraform: terraform not found — SKIPPED Terraform checks (fmt, validate, test)"
    exit 0
fi

export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1
export TF_INPUT=0

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
tf_root="deploy/terraform"
plugin_dir="${TF_PLUGIN_DIR:-/opt/tf-plugins}"
verbose="${CHECK_TERRAFORM_VERBOSE:-0}"
start_seconds=$SECONDS

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/check-terraform.XXXXXX")"
created_lock_files=()
cleanup() {
    local f
    for f in "${created_lock_files[@]+"${created_lock_files[@]}"}"; do
        rm -f -- "$f"
    done
    rm -rf -- "$work_dir"
}
trap cleanup EXIT

fail() {
    echo "check-terraform: FAILED: $*" >&2
    exit 1
}

# run LOG CMD...: runs CMD with its output in LOG; prints the log on failure (always if verbose).
run() {
    local log="$1"
    shift
    if "$@" >"$log" 2>&1; then
        if [[ "$verbose" == 1 ]]; then cat "$log"; fi
        return 0
    fi
    cat "$log" >&2
    return 1
}

tf_version="$(terraform version 2>/dev/null || true)"
echo "check-terraform: ${tf_version%%$'\n'*}"

# ---------------------------------------------------------------- 1. fmt
run "$work_dir/fmt.log" terraform fmt -check -recursive -diff "$tf_root" ||
    fail "terraform fmt: run 'terraform fmt -recursive $tf_root'"

# ---------------------------------------------------------------- 2. IAM policy inventory
# The env tests assert on module.*.iam_policy_documents (each module's local.iam_policies).
# That is only complete if no policy is written anywhere else, so: every policy-valued
# attribute must be `jsonencode(local.iam_policies.<name>)` (the ECR lifecycle policy, which
# is not IAM, is the one exception), and policy data sources / attachments are not used.
policy_lines="$(grep -rnE --include='*.tf' '^[[:space:]]*(policy|assume_role_policy|inline_policy|policy_document)[[:space:]]*=' "$tf_root" || true)"
bad_policy_lines="$(printf '%s\n' "$policy_lines" | grep -vE '= jsonencode\(local\.(iam_policies\.[a-z_]+|ecr_lifecycle_policy)\)[[:space:]]*$' | grep -v '^$' || true)"
if [[ -n "$bad_policy_lines" ]]; then
    echo "$bad_policy_lines" >&2
    fail "policies must be rendered from local.iam_policies (see deploy/terraform/README.md)"
fi
bad_constructs="$(grep -rnE --include='*.tf' '^[^#]*("aws_iam_policy_document"|policy_arn[[:space:]]*=|managed_policy_arns)' "$tf_root" || true)"
if [[ -n "$bad_constructs" ]]; then
    echo "$bad_constructs" >&2
    fail "aws_iam_policy_document / managed policy attachments bypass the tested policy inventory"
fi
policy_count="$(printf '%s\n' "$policy_lines" | grep -c 'local\.iam_policies\.' || true)"
echo "check-terraform: IAM policy inventory ok ($policy_count policy attributes, all from local.iam_policies)"

# ---------------------------------------------------------------- 3. per environment
init_args=(-backend=false -input=false -no-color)
if [[ -d "$plugin_dir" ]]; then
    init_args+=("-plugin-dir=$plugin_dir")
fi

env_count=0
for env_dir in "$tf_root"/envs/*/; do
    env_dir="${env_dir%/}"
    env_name="$(basename "$env_dir")"
    [[ -f "$env_dir/main.tf" ]] || continue
    env_count=$((env_count + 1))

    export TF_DATA_DIR="$work_dir/$env_name/.terraform"
    mkdir -p "$TF_DATA_DIR"
    lock_file="$env_dir/.terraform.lock.hcl"
    if [[ ! -e "$lock_file" ]]; then
        created_lock_files+=("$lock_file")
    fi

    run "$work_dir/$env_name-init.log" terraform -chdir="$env_dir" init "${init_args[@]}" ||
        fail "$env_name: terraform init"
    run "$work_dir/$env_name-validate.log" terraform -chdir="$env_dir" validate -no-color ||
        fail "$env_name: terraform validate"
    test_log="$work_dir/$env_name-test.log"
    run "$test_log" terraform -chdir="$env_dir" test -no-color ||
        fail "$env_name: terraform test"

    # "Success! 15 passed, 0 failed."
    passed="$(sed -nE 's/^Success! ([0-9]+) passed, 0 failed\.?$/\1/p' "$test_log" | tail -n 1)"
    if [[ -z "$passed" || "$passed" == 0 ]]; then
        cat "$test_log" >&2
        fail "$env_name: terraform test ran no tests"
    fi
    echo "check-terraform: $env_name ok (fmt, validate, $passed tests)"
done
unset TF_DATA_DIR

[[ "$env_count" -gt 0 ]] || fail "no environments under $tf_root/envs"
echo "check-terraform: all Terraform checks passed in $((SECONDS - start_seconds)) s"
