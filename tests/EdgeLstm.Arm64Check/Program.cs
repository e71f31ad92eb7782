using EdgeLstm.Arm64Check;

// Prints "variant model digest" lines; exits 1 if any variant disagrees with the scalar reference.
var results = KernelDigest.Compute().ToList();
int failures = 0;
foreach (var (variant, model, digest) in results)
{
    ulong reference = results.First(r => r.Variant == "scalar" && r.Model == model).Digest;
    bool same = digest == reference;
    if (!same) failures++;
    Console.WriteLine($"{variant} {model} {digest:x16} {(same ? "ok" : "DIFFERS")}");
}
Console.WriteLine($"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}: {results.Count - failures} passed, {failures} failed");
return failures == 0 ? 0 : 1;
