namespace EdgeLstm.Tests;

/// <summary>libtorch settings for tests: one thread, so results do not depend on the machine's core count.</summary>
internal static class TorchFixture
{
    private static readonly Lock Gate = new();
    private static bool _initialised;

    public static void Init(int seed)
    {
        lock (Gate)
        {
            if (!_initialised)
            {
                torch.set_num_threads(1);
                _initialised = true;
            }
            torch.manual_seed(seed);
        }
    }

    /// <summary>A network of <paramref name="description"/> with random weights from <paramref name="seed"/>, doubled (livelier gates than the default init), in eval mode.</summary>
    public static T RandomNetwork<T>(ModelDescription description, int seed) where T : TaskNetwork
    {
        Init(seed);
        var network = TaskNetworks.Create<T>(description, dropout: 0);
        using (torch.no_grad())
            foreach (var p in network.parameters()) p.mul_(2.0);
        network.eval();
        return network;
    }

    /// <summary>Random token ids 1..vocabulary−1 (no padding id), one sequence of each length.</summary>
    public static int[][] RandomSequences(int vocabulary, int seed, params int[] lengths)
    {
        var random = new Random(seed);
        return Array.ConvertAll(lengths, n => Enumerable.Range(0, n).Select(_ => random.Next(1, vocabulary)).ToArray());
    }
}
