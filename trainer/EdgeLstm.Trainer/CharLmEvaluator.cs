namespace EdgeLstm.Trainer;

/// <summary>
/// Bits per character as the runtime's `edgelstm eval` defines it: the text is one stream from a zero state,
/// the first character is fed but not scored, and every later one is scored given all before it.
/// </summary>
public static class CharLmEvaluator
{
    /// <summary>Scored in windows of <see cref="Window"/> tokens with the state carried across, so a long text never needs its whole activations at once.</summary>
    public static double BitsPerChar(LanguageModelNetwork network, int[] tokens)
    {
        if (tokens.Length < 2) throw new ArgumentException("the text must have at least two characters to score");
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var noGrad = no_grad();
            using var data = tensor(Array.ConvertAll(tokens, t => (long)t), [1, tokens.Length]);
            (Tensor H, Tensor C)? state = null;
            double nats = 0;
            for (int start = 0; start + 1 < tokens.Length; start += Window)
            {
                using var scope = NewDisposeScope();
                int length = Math.Min(Window, tokens.Length - 1 - start);
                var (logits, h, c) = network.Forward(data[.., start..(start + length)], state);
                var target = data[.., (start + 1)..(start + 1 + length)].reshape(-1);
                nats += nn.functional.cross_entropy(logits.reshape(-1, network.OutputSize), target, reduction: nn.Reduction.Sum)
                    .to_type(ScalarType.Float64).item<double>();
                state?.H.Dispose();
                state?.C.Dispose();
                state = (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
            }
            state?.H.Dispose();
            state?.C.Dispose();
            return nats / (tokens.Length - 1) / Math.Log(2);
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }

    public const int Window = 4096;

    /// <summary>
    /// Runs the text through the network in eval mode without gradients and hands <paramref name="score"/> the
    /// logits of every scored position [N, V] and the characters they predict [N]; both die after it returns.
    /// </summary>
    public static T Score<T>(LanguageModelNetwork network, int[] tokens, Func<Tensor, Tensor, T> score)
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
            return score(logits.reshape(-1, network.OutputSize), data[.., 1..].reshape(-1));
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }
}
