# Shared helpers for the scripts in .ci/ (sourced, not executed).
# shellcheck shell=bash

# Print a section header.
section() {
    printf '\n==== %s ====\n' "$*"
}

# Print an error message to stderr and exit with status 1.
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Resolve the repository to check: the first argument, or the repository
# that holds the current directory.
repo_root() {
    local dir="${1:-.}"
    git -C "$dir" rev-parse --show-toplevel 2>/dev/null \
        || die "$dir is not inside a git repository"
}

# Files that belong to the project: tracked files plus untracked files that
# are not ignored (so a local run sees a file before it is added). NUL-separated.
project_files() {
    git -C "$1" ls-files -z --cached --others --exclude-standard
}

# Directories (relative to the repository root, "." for the root) holding a
# Cargo workspace root: every project Cargo.toml with a [workspace] table.
workspace_dirs() {
    local root="$1"
    {
        # A package at the root is checked even without a [workspace] table.
        if [ -f "$root/Cargo.toml" ]; then echo "."; fi
        project_files "$root" | while IFS= read -r -d '' f; do
            case "$f" in
                Cargo.toml | */Cargo.toml) ;;
                *) continue ;;
            esac
            [ -f "$root/$f" ] || continue
            if grep -Eq '^[[:space:]]*\[workspace\][[:space:]]*(#.*)?$' "$root/$f"; then
                dirname "$f"
            fi
        done
    } | sort -u
}
