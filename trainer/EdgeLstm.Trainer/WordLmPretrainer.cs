namespace EdgeLstm.Trainer;

/// <summary>
/// Pretrains a classifier's embedding and LSTM layers as word language models on unlabelled text, in the
/// classifier's own vocabulary: a forward model (next word) gives the embedding and the forward LSTM, and, for a
/// bidirectional classifier, a second model on the reversed word stream gives the reverse LSTM. Random windows of
/// 64 words, batches of 32, Adam; the weights come back under the classifier's state_dict names.
/// </summary>
public static class WordLmPretrainer
{
    public const int Window = 64, BatchSize = 32;

    /// <summary>The pretrained tensors (caller disposes), and the last batches' mean next-word loss of each direction.</summary>
    public static (Dictionary<string, Tensor> Weights, double[] FinalLoss) Pretrain(ITokenizer tokenizer, string text, ModelDescription classifier, int batches, int seed,
        Action<string>? log = null)
    {
        int[] ids = tokenizer.Encode(text);
        if (ids.Length < 10 * Window) throw new ArgumentException($"--pretrain: the text has {ids.Length:N0} words; too few to pretrain on");
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var losses = new List<double>();
        var encoder = classifier.Encoder;
        var forward = LanguageModelNetwork.Describe(tokenizer, classifier.Input.Size, encoder[0].Hidden, encoder.Length);
        for (int direction = 0; direction < (encoder[0].Bidirectional ? 2 : 1); direction++)
        {
            int[] stream = direction == 0 ? ids : ids.Reverse().ToArray();
            torch.manual_seed(seed + direction);
            using var lm = TaskNetworks.Create<LanguageModelNetwork>(forward, dropout: 0);
            var optimizer = optim.Adam(lm.parameters(), lr: 2e-3);
            var random = new Random(seed + direction);
            double recent = 0;
            for (int b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                var window = new long[BatchSize * (Window + 1)];
                for (int i = 0; i < BatchSize; i++)
                {
                    int start = random.Next(stream.Length - Window - 1);
                    for (int t = 0; t <= Window; t++) window[i * (Window + 1) + t] = stream[start + t];
                }
                var all = tensor(window, [BatchSize, Window + 1]);
                var input = all[.., ..Window];
                var target = all[.., 1..].reshape(-1);
                var loss = nn.functional.cross_entropy(lm.Forward(input, null).Logits.reshape(-1, tokenizer.VocabularySize), target);
                optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(lm.parameters(), 5.0);
                optimizer.step();
                if (b >= batches - 20) recent += loss.item<float>() / 20;
            }
            losses.Add(recent);
            log?.Invoke($"pretrained {(direction == 0 ? "forward" : "reverse")} word LM: {batches} batches, last 20 batches' loss {recent:F3}");
            foreach (var (name, value) in lm.state_dict())
            {
                if (name.StartsWith(ModelTensors.HeadModule + ".", StringComparison.Ordinal)) continue;
                if (direction == 1 && !name.StartsWith(ModelTensors.LstmModule + ".", StringComparison.Ordinal)) continue; // one embedding: the forward model's
                weights[direction == 1 ? ModelTensors.ReverseOf(name) : name] = value.detach().clone();
            }
        }
        return (weights, losses.ToArray());
    }
}
