# Sourced by the scripts that run pinned PyPI test tools (Slither, Schemathesis).
#
# pinned_venv VENV REQUIREMENTS EXECUTABLE: makes VENV hold exactly the set pinned in
# REQUIREMENTS. Idempotent: reinstalls only when that file changed, or when the venv (or
# its EXECUTABLE) is missing or broken.
pinned_venv() {
  local venv="$1" requirements="$2" executable="$3"
  local stamp="$venv/.requirements.sha256" want
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [[ -x "$venv/bin/$executable" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
  echo "$want" >"$stamp"
}
