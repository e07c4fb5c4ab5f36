"""The hardware probe's parsers on real recorded outputs, and the probe on fake roots."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pytest

from desktop.engine.hardware import (
    GIB,
    MIB,
    NVIDIA_QUERY,
    GpuInfo,
    apple_unified_gpu_bytes,
    parse_amd_vram,
    parse_cpuinfo,
    parse_meminfo,
    parse_nvidia_smi,
    parse_sysctl_int,
    parse_vm_stat,
    probe_hardware,
    run_tool,
)

H100 = Path(__file__).resolve().parent.parent / "fixtures" / "hardware" / "nvidia-h100"


def recorded(name: str) -> str:
    return (H100 / name).read_text()


def tool_outputs(outputs: dict[tuple[str, ...], str]):
    """A runner answering like the real tools did (None = tool missing)."""

    def run(argv: Sequence[str]) -> str | None:
        return outputs.get(tuple(argv))

    return run


def test_meminfo_from_h100_machine() -> None:
    total, available = parse_meminfo(recorded("proc-meminfo.txt"))
    assert total == 131_981_020 * 1024
    assert available == 131_480_236 * 1024


def test_meminfo_without_available_falls_back_to_free() -> None:
    assert parse_meminfo("MemTotal: 2048 kB\nMemFree: 1024 kB\n") == (2048 * 1024, 1024 * 1024)
    assert parse_meminfo("garbage") == (0, 0)


def test_nvidia_smi_noheader_nounits_with_extra_columns() -> None:
    (gpu,) = parse_nvidia_smi(recorded("nvidia-smi-query.csv"))
    assert gpu == GpuInfo("NVIDIA H100 80GB HBM3", "NVIDIA", 81559 * MIB, 0)
    assert gpu.free_bytes == 81559 * MIB


def test_nvidia_smi_with_header_and_units() -> None:
    (gpu,) = parse_nvidia_smi(recorded("nvidia-smi-query-header.csv"))
    assert gpu.name == "NVIDIA H100 80GB HBM3"
    assert gpu.total_bytes == 81559 * MIB


def test_nvidia_smi_two_gpus_and_unparseable_lines() -> None:
    text = "NVIDIA GeForce RTX 4090, 24564, 1024\nNVIDIA GeForce RTX 3060, 12288, 0\n[N/A], [N/A]\n\nbad, x, y\n"
    gpus = parse_nvidia_smi(text)
    assert [g.name for g in gpus] == ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 3060"]
    assert gpus[0].used_bytes == 1024 * MIB


def test_amd_vram_files() -> None:
    assert parse_amd_vram("17163091968\n", "1073741824\n") == (17163091968, 1073741824)
    assert parse_amd_vram("", "") is None
    assert parse_amd_vram("8589934592", "n/a") == (8589934592, 0)


@pytest.mark.parametrize(
    ("ram_gib", "expected_gb"),
    [(8, 5.7), (16, 11.45), (64, 51.5)],
)
def test_apple_unified_share_matches_metal(ram_gib: int, expected_gb: float) -> None:
    assert apple_unified_gpu_bytes(ram_gib * GIB) / 1e9 == pytest.approx(expected_gb, abs=0.05)


def test_apple_wired_limit_overrides_share() -> None:
    assert apple_unified_gpu_bytes(16 * GIB, wired_limit_mb=14336) == 14336 * MIB


def test_small_parsers() -> None:
    assert parse_sysctl_int("17179869184\n") == 17179869184
    assert parse_sysctl_int("") == 0
    assert parse_cpuinfo("processor : 0\nmodel name\t: AMD Ryzen 9 7950X\n") == "AMD Ryzen 9 7950X"
    vm = "Mach Virtual Memory Statistics: (page size of 16384 bytes)\nPages free: 100.\nPages inactive: 50.\nPages speculative: 10.\n"
    assert parse_vm_stat(vm) == 160 * 16384


def test_probe_linux_with_nvidia(tmp_path: Path) -> None:
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc" / "meminfo").write_text(recorded("proc-meminfo.txt"))
    (tmp_path / "proc" / "cpuinfo").write_text("model name\t: Intel(R) Xeon(R) Platinum 8480+\n")
    runner = tool_outputs({NVIDIA_QUERY: recorded("nvidia-smi-query.csv")})
    info = probe_hardware(runner=runner, platform="linux", root=tmp_path)
    assert info.os == "Linux"
    assert info.cpu == "Intel(R) Xeon(R) Platinum 8480+"
    assert info.total_ram_bytes == 131_981_020 * 1024
    assert [g.vendor for g in info.gpus] == ["NVIDIA"]
    assert info.total_gpu_bytes == 81559 * MIB


def test_probe_linux_with_amd_card(tmp_path: Path) -> None:
    device = tmp_path / "sys" / "class" / "drm" / "card1" / "device"
    device.mkdir(parents=True)
    (device / "mem_info_vram_total").write_text("17163091968\n")
    (device / "mem_info_vram_used").write_text("268435456\n")
    (tmp_path / "sys" / "class" / "drm" / "card1-DP-1").mkdir()
    info = probe_hardware(runner=tool_outputs({}), platform="linux", root=tmp_path)
    assert info.gpus == (GpuInfo("AMD GPU (card1)", "AMD", 17163091968, 268435456),)


def test_probe_without_tools_or_files_is_cpu_only(tmp_path: Path) -> None:
    info = probe_hardware(runner=tool_outputs({}), platform="linux", root=tmp_path)
    assert info.gpus == ()
    assert info.total_ram_bytes == 0
    assert any("CPU" in note for note in info.notes)


def test_probe_apple_silicon() -> None:
    runner = tool_outputs(
        {
            ("sysctl", "-n", "hw.memsize"): "17179869184\n",
            ("sysctl", "-n", "machdep.cpu.brand_string"): "Apple M2 Pro\n",
            ("sysctl", "-n", "iogpu.wired_limit_mb"): "0\n",
            ("vm_stat",): "Mach Virtual Memory Statistics: (page size of 16384 bytes)\nPages free: 1000.\n",
        }
    )
    info = probe_hardware(runner=runner, platform="darwin")
    assert info.os == "macOS"
    (gpu,) = info.gpus
    assert gpu.unified and gpu.vendor == "Apple"
    assert gpu.total_bytes == 16 * GIB * 2 // 3
    assert info.available_ram_bytes == 1000 * 16384


def test_probe_intel_mac_has_no_gpu() -> None:
    runner = tool_outputs(
        {
            ("sysctl", "-n", "hw.memsize"): "17179869184\n",
            ("sysctl", "-n", "machdep.cpu.brand_string"): "Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz\n",
        }
    )
    info = probe_hardware(runner=runner, platform="darwin")
    assert info.gpus == ()
    assert any("CPU" in note for note in info.notes)


def test_run_tool_missing_or_failing_gives_none(tmp_path: Path) -> None:
    assert run_tool([str(tmp_path / "no-such-tool")]) is None
    assert run_tool(["python3", "-c", "import sys; sys.exit(3)"]) is None
    assert run_tool(["python3", "-c", "print('ok')"]) == "ok\n"


def test_probe_this_machine_never_raises() -> None:
    info = probe_hardware()
    assert info.os
    assert all(gpu.total_bytes > 0 for gpu in info.gpus)
