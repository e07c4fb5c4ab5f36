"""A first look at this machine: RAM, CPU, and GPU memory that models can use.

Parsers are pure functions over the text the OS or a tool prints, so they are tested
with real recorded outputs. Probing never raises: a missing tool means "no GPU of
that kind", and what could not be learned is written into ``notes``.
"""

from __future__ import annotations

import platform as platform_module
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

MIB = 1024 * 1024
GIB = 1024 * MIB
NVIDIA_QUERY = (
    "nvidia-smi",
    "--query-gpu=name,memory.total,memory.used",
    "--format=csv,noheader,nounits",
)

Runner = Callable[[Sequence[str]], "str | None"]
"""Runs a command; returns its standard output, or None if it is missing or failed."""


@dataclass(frozen=True)
class GpuInfo:
    """One GPU and its memory. ``unified``: it shares system RAM (Apple Silicon)."""

    name: str
    vendor: str
    total_bytes: int
    used_bytes: int = 0
    unified: bool = False

    @property
    def free_bytes(self) -> int:
        return max(0, self.total_bytes - self.used_bytes)


@dataclass(frozen=True)
class HardwareInfo:
    """What the probe found. Byte counts are 0 when unknown."""

    os: str
    cpu: str
    total_ram_bytes: int
    available_ram_bytes: int
    gpus: tuple[GpuInfo, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def total_gpu_bytes(self) -> int:
        return sum(gpu.total_bytes for gpu in self.gpus)


# --- pure parsers ------------------------------------------------------------------------


def parse_meminfo(text: str) -> tuple[int, int]:
    """``/proc/meminfo`` → (total, available) bytes; 0 for what is missing."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"(\w+):\s+(\d+)\s*kB", line)
        if match:
            values[match.group(1)] = int(match.group(2)) * 1024
    total = values.get("MemTotal", 0)
    available = values.get("MemAvailable", values.get("MemFree", 0))
    return total, available


def parse_nvidia_smi(text: str) -> tuple[GpuInfo, ...]:
    """CSV from ``nvidia-smi --query-gpu=name,memory.total,memory.used`` → GPUs.

    Accepts the ``noheader,nounits`` form and the form with a header and ``MiB`` units;
    extra columns after the first three are ignored.
    """
    gpus: list[GpuInfo] = []
    for line in text.splitlines():
        fields = [field.strip() for field in line.split(",")]
        if len(fields) < 3 or fields[0].lower() == "name":
            continue
        total, used = _mib(fields[1]), _mib(fields[2])
        if total is None:
            continue
        gpus.append(GpuInfo(fields[0], "NVIDIA", total, used or 0))
    return tuple(gpus)


def _mib(field: str) -> int | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:MiB)?", field.strip())
    return int(float(match.group(1)) * MIB) if match else None


def parse_amd_vram(total_text: str, used_text: str) -> tuple[int, int] | None:
    """Contents of ``mem_info_vram_total`` / ``_used`` (bytes) → (total, used)."""
    try:
        total = int(total_text.strip())
    except ValueError:
        return None
    try:
        used = int(used_text.strip())
    except ValueError:
        used = 0
    return (total, used) if total > 0 else None


def parse_sysctl_int(text: str) -> int:
    """``sysctl -n`` output holding a number → the number (0 if it is not one)."""
    try:
        return int(text.strip().split()[0])
    except (ValueError, IndexError):
        return 0


def parse_vm_stat(text: str) -> int:
    """macOS ``vm_stat`` → bytes that are free, inactive or speculative (reusable)."""
    page = re.search(r"page size of (\d+) bytes", text)
    page_size = int(page.group(1)) if page else 4096
    pages = 0
    for key in ("Pages free", "Pages inactive", "Pages speculative"):
        match = re.search(rf"{key}:\s+(\d+)", text)
        if match:
            pages += int(match.group(1))
    return pages * page_size


def apple_unified_gpu_bytes(total_ram_bytes: int, wired_limit_mb: int = 0) -> int:
    """Memory Metal lets the GPU use: ~2/3 of RAM up to 32 GiB, 3/4 above.

    A non-zero ``iogpu.wired_limit_mb`` (set by the user) replaces the default share.
    """
    if wired_limit_mb > 0:
        return wired_limit_mb * MIB
    share = (3, 4) if total_ram_bytes > 32 * GIB else (2, 3)
    return total_ram_bytes * share[0] // share[1]


def parse_cpuinfo(text: str) -> str:
    """``/proc/cpuinfo`` → the CPU's model name ("" if absent)."""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


# --- probing -----------------------------------------------------------------------------


def run_tool(argv: Sequence[str], timeout: float = 5.0) -> str | None:
    """Run a tool; its stdout, or None when it is missing, fails or hangs."""
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def probe_hardware(
    runner: Runner | None = None,
    platform: str | None = None,
    root: Path = Path("/"),
) -> HardwareInfo:
    """What this machine offers. ``runner``, ``platform`` and ``root`` are for tests."""
    runner = run_tool if runner is None else runner
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        return _probe_macos(runner)
    return _probe_other(runner, platform, root)


def _probe_macos(runner: Runner) -> HardwareInfo:
    total = parse_sysctl_int(runner(("sysctl", "-n", "hw.memsize")) or "")
    cpu = (runner(("sysctl", "-n", "machdep.cpu.brand_string")) or "").strip()
    available = parse_vm_stat(runner(("vm_stat",)) or "")
    notes: list[str] = []
    gpus: tuple[GpuInfo, ...] = ()
    if cpu.startswith("Apple") and total:
        wired = parse_sysctl_int(runner(("sysctl", "-n", "iogpu.wired_limit_mb")) or "")
        gpu_bytes = apple_unified_gpu_bytes(total, wired)
        gpus = (GpuInfo(f"{cpu} GPU", "Apple", gpu_bytes, 0, unified=True),)
        notes.append("Apple Silicon: the GPU shares system memory.")
    else:
        notes.append("Intel Mac: models run on the CPU.")
    if not total:
        notes.append("Could not read the amount of memory (sysctl hw.memsize).")
    return HardwareInfo("macOS", cpu, total, available, gpus, tuple(notes))


def _probe_other(runner: Runner, platform: str, root: Path) -> HardwareInfo:
    notes: list[str] = []
    total = available = 0
    cpu = platform_module.processor()
    if platform.startswith("linux"):
        total, available = parse_meminfo(_read(root / "proc" / "meminfo"))
        cpu = parse_cpuinfo(_read(root / "proc" / "cpuinfo")) or cpu
        if not total:
            notes.append("Could not read /proc/meminfo.")
    else:
        notes.append("System memory is not probed on this platform yet.")
    gpus = parse_nvidia_smi(runner(NVIDIA_QUERY) or "")
    if platform.startswith("linux"):
        gpus += _amd_gpus(root)
    if not gpus:
        notes.append("No supported GPU found: models run on the CPU.")
    name = {"win32": "Windows"}.get(platform, "Linux" if platform.startswith("linux") else platform)
    return HardwareInfo(name, cpu, total, available, gpus, tuple(notes))


def _amd_gpus(root: Path) -> tuple[GpuInfo, ...]:
    gpus: list[GpuInfo] = []
    drm = root / "sys" / "class" / "drm"
    try:
        cards = sorted(path / "device" for path in drm.glob("card*") if re.fullmatch(r"card\d+", path.name))
    except OSError:
        return ()
    for device in cards:
        vram = parse_amd_vram(_read(device / "mem_info_vram_total"), _read(device / "mem_info_vram_used"))
        if vram:
            gpus.append(GpuInfo(f"AMD GPU ({device.parent.name})", "AMD", vram[0], vram[1]))
    return tuple(gpus)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
