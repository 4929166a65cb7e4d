"""Plugins export only their entry point, and fgcat exports nothing of its own
(STYLE.md: symbols hidden by default; a plugin reaches the host only through
the host API table).  Checked with `nm -D --defined-only`."""

import glob
import os
import re
import subprocess

import clitest
from clitest import Failure, expect

# Symbols a linker or a sanitizer runtime may export from an executable
# (besides versioned copies of libc's data, name@GLIBC_x, filtered below).
RUNTIME = re.compile(r"^(_IO_stdin_used|_init|_fini|_edata|_end|__bss_start|__data_start|"
                     r"data_start|__dso_handle|_start|__libc_csu_\w+|"
                     r"__(asan|lsan|ubsan|sanitizer|interceptor|sancov)\w*|"
                     r"_Z\w*|___interceptor_\w+|\w*_sanitizer_\w*)$")
OURS = re.compile(r"^(fg_|rt_|cat_|cli_|cmd_|fgcat_|sync_|hub_)")


def defined_dynamic(path):
    out = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True,
                         text=True, check=True).stdout
    return sorted(line.split()[-1] for line in out.splitlines() if line.strip())


def scenario(opts):
    plugins = sorted(glob.glob(os.path.join(opts.plugins, "*.so")))
    plugins.append(os.path.join(opts.test_plugins, "test-area", "test-area.so"))
    expect(len(plugins) == 5, "expected 4 built-in plugins and test-area: %r" % plugins)
    for so in plugins:
        syms = defined_dynamic(so)
        expect(syms == ["fgcat_plugin_entry"],
               "%s exports %r, expected only fgcat_plugin_entry" % (so, syms))
    syms = defined_dynamic(opts.fgcat)
    ours = [s for s in syms if OURS.match(s)]
    expect(not ours, "fgcat exports its own symbols: %r" % ours)
    unexpected = [s for s in syms if "@" not in s and not RUNTIME.match(s)]
    expect(not unexpected, "fgcat exports unexpected symbols: %r" % unexpected)


if __name__ == "__main__":
    clitest.main(scenario, __doc__)
