# The kit's JupyterLab (`make lab`): jupyter lab --config=gecc_kit/share/lab/jupyter_server_config.py
# The kit's folder, the kit's kernel settings with GECC_PREVIEW=1 (participant notebooks open for a
# preview participant that no dashboard, export or workshop list shows), notebooks saved without
# outputs, and trust signatures, workspaces and checkpoints under var/lab/. See gecc_kit/lab.py.
from gecc_kit.lab import configure

configure(c)  # noqa: F821 - `c` is the config object Jupyter gives this file
