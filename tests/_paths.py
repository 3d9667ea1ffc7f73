"""Where tests find the project and the shared test data (kro's CRD and examples).

CI clones the project into a fresh folder with ``shared/`` beside it, so the
data is found relative to this file, never at an absolute path. It is test
data the suite depends on: missing, the tests fail rather than skip.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
KRO_EXAMPLES = SHARED / "kro" / "examples"
KRO_CRD = SHARED / "kro" / "crd" / "kro.run_resourcegraphdefinitions.yaml"

assert KRO_EXAMPLES.is_dir(), f"shared test data missing: {KRO_EXAMPLES}"
