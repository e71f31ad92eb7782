using EdgeLstm.Arm64Check;

namespace EdgeLstm.Tests;

/// <summary>
/// The NativeAOT linux-arm64 build of edgelstm-kernel-check, run under qemu-aarch64, must produce the same
/// logit digests as x64 does here: bit-identical results across architectures. ./build.sh test publishes it.
/// </summary>
public sealed class Arm64BitIdentityTests
{
    [Theory]
    [InlineData("max", new[] { "neon-sdot", "neon-smlal", "vector128-widen", "scalar" })]
    [InlineData("cortex-a72", new[] { "neon-smlal", "vector128-widen", "scalar" })] // no dot-product extension
    public void Arm64DigestsEqualTheX64Digests(string cpu, string[] expectedVariants)
    {
        string binary = RepoPath(".cache", "arm64-check", "edgelstm-kernel-check");
        Assert.True(File.Exists(binary), $"{binary} is missing: ./build.sh test publishes it (NativeAOT, linux-arm64)");
        var start = new ProcessStartInfo("qemu-aarch64") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-cpu", cpu, "-L", "/usr/aarch64-linux-gnu", binary }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "qemu run timed out");
        Assert.True(process.ExitCode == 0, output + process.StandardError.ReadToEnd());

        var x64 = KernelDigest.Compute().Where(r => r.Variant == "scalar").ToDictionary(r => r.Model, r => r.Digest);
        var arm = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Where(p => p.Length == 4).ToList();
        Assert.Equal(expectedVariants, arm.Where(p => p[1] == "dense").Select(p => p[0]));
        foreach (var p in arm)
            Assert.True(p[2] == x64[p[1]].ToString("x16"), $"arm64 {p[0]} {p[1]}: {p[2]} vs x64 {x64[p[1]]:x16}");
        Assert.Contains("Arm64: ", output);
    }

    internal static string RepoPath(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeLstm.sln"))) dir = dir.Parent;
        return Path.Combine([dir!.FullName, .. parts]);
    }
}
