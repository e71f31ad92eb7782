using EdgeLstm.Converter;

namespace EdgeLstm.Trainer;

/// <summary>
/// Prune-then-fine-tune: the converter's masks (magnitude or 1×16 block) are computed once from the starting
/// weights and re-applied after every optimizer step, so training recovers accuracy around a fixed sparsity
/// pattern that `edgelstm convert --prune` will find again (pruning already-zero weights selects the same ones).
/// </summary>
public sealed class PruningFineTune : IDisposable
{
    private readonly List<(Tensor Parameter, Tensor Mask)> _masks = [];

    public PruningFineTune(LanguageModelNetwork network, PruneSpec spec)
    {
        if (spec.Method is not (PruneMethod.Magnitude or PruneMethod.Block))
            throw new ArgumentException($"--prune {spec}: the trainer fine-tunes magnitude or block pruning; for units, run `edgelstm convert --prune units:F -o small.safetensors --dtype f32` and train with --init-from");
        var masks = PruningMasks.Compute(TaskNetworks.ToFloatModel(network), spec);
        foreach (var (name, parameter) in network.named_parameters())
        {
            if (!masks.TryGetValue(name, out bool[]? keep)) continue;
            _masks.Add((parameter, tensor(Array.ConvertAll(keep, k => k ? 1f : 0f), parameter.shape)));
        }
        Apply();
    }

    /// <summary>Zeroes the pruned weights again (after an optimizer step moved them).</summary>
    public void Apply()
    {
        using var noGrad = no_grad();
        foreach (var (parameter, mask) in _masks) parameter.mul_(mask);
    }

    public void Dispose()
    {
        foreach (var (_, mask) in _masks) mask.Dispose();
    }
}
