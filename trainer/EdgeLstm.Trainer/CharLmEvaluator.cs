using TorchSharp;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>
/// Bits per character as the runtime's `edgelstm eval` defines it: the text is one stream from a zero state,
/// the first character is fed but not scored, and every later one is scored given all before it.
/// </summary>
public static class CharLmEvaluator
{
    public static double BitsPerChar(CharLstmNetwork network, int[] tokens) =>
        Score(network, tokens, (logits, target) =>
        {
            var nats = nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum);
            return nats.to_type(ScalarType.Float64).item<double>() / (tokens.Length - 1) / Math.Log(2);
        });

    /// <summary>
    /// Runs the text through the network in eval mode without gradients and hands <paramref name="score"/> the
    /// logits of every scored position [N, V] and the characters they predict [N]; both die after it returns.
    /// </summary>
    public static T Score<T>(CharLstmNetwork network, int[] tokens, Func<Tensor, Tensor, T> score)
    {
        if (tokens.Length < 2) throw new ArgumentException("the text must have at least two characters to score");
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var data = tensor(Array.ConvertAll(tokens, t => (long)t), [1, tokens.Length]);
            var (logits, _, _) = network.Forward(data[.., ..^1], null);
            return score(logits.reshape(-1, network.Shape.VocabularySize), data[.., 1..].reshape(-1));
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }
}
