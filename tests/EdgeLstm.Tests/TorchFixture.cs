using TorchSharp;

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
}
