using TorchSharp;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>
/// Bits per character as the runtime's `edgelstm eval` defines it: the text is one stream from a zero state,
/// the first character is fed but not scored, and every later one is scored given all before it.
/// </summary>
public static class CharLmEvaluator
{
    public static double BitsPerChar(CharLstmNetwork network, int[] tokens)
    {
        if (tokens.Length < 2) throw new ArgumentException("the text must have at least two characters to score");
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var data = tensor(Array.ConvertAll(tokens, t => (long)t), [1, tokens.Length]);
            var input = data[.., ..^1];
            var target = data[.., 1..];
            var (logits, _, _) = network.Forward(input, null);
            var nats = nn.functional.cross_entropy(logits.reshape(-1, network.Shape.VocabularySize), target.reshape(-1), reduction: nn.Reduction.Sum);
            return nats.to_type(ScalarType.Float64).item<double>() / (tokens.Length - 1) / Math.Log(2);
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }
}
