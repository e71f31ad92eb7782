namespace EdgeLstm.Tests;

/// <summary>Small float models with seeded random weights (PyTorch's default init range), built without TorchSharp.</summary>
internal static class TinyModels
{
    public const string Text = "the whale and the sea, the ship and the captain. Call me Ishmael!";

    public static FloatLstmModel Create(int layers = 2, int hidden = 32, int embedding = 16, int seed = 1, string text = Text)
    {
        var random = new Random(seed);
        var tokenizer = CharTokenizer.FromText(text);
        int vocab = tokenizer.VocabularySize;
        float bound = 1f / MathF.Sqrt(hidden);
        float[] Uniform(int n, float range)
        {
            var values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * range);
            return values;
        }
        var stack = new FloatLstmLayer[layers];
        int input = embedding;
        for (int k = 0; k < layers; k++)
        {
            stack[k] = new FloatLstmLayer(input, hidden, Uniform(4 * hidden * input, bound), Uniform(4 * hidden * hidden, bound),
                Uniform(4 * hidden, bound), Uniform(4 * hidden, bound));
            input = hidden;
        }
        return new FloatLstmModel(tokenizer, Uniform(vocab * embedding, 1f), embedding, stack, Uniform(vocab * hidden, bound), Uniform(vocab, bound));
    }

    /// <summary>
    /// A "sequence" model (float input vectors, no embedding) as PyTorch would save nn.LSTM + nn.Linear, with
    /// seeded random weights: the tensors and the metadata that names the task.
    /// </summary>
    public static (List<SafeTensorsWriter.Tensor> Tensors, Dictionary<string, string> Metadata) SequenceTensors(
        int input = 3, int hidden = 16, int layers = 2, int outputs = 2, int seed = 1)
    {
        var random = new Random(seed);
        float[] Uniform(long n)
        {
            var values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float)((random.NextDouble() * 2 - 1) / Math.Sqrt(hidden));
            return values;
        }
        var tensors = new List<SafeTensorsWriter.Tensor>();
        for (int k = 0, width = input; k < layers; k++, width = hidden)
        {
            tensors.Add(new(ModelTensors.WeightIh(k), [4L * hidden, width], Uniform(4L * hidden * width)));
            tensors.Add(new(ModelTensors.WeightHh(k), [4L * hidden, hidden], Uniform(4L * hidden * hidden)));
            tensors.Add(new(ModelTensors.BiasIh(k), [4L * hidden], Uniform(4L * hidden)));
            tensors.Add(new(ModelTensors.BiasHh(k), [4L * hidden], Uniform(4L * hidden)));
        }
        tensors.Add(new(ModelTensors.HeadWeight, [outputs, hidden], Uniform((long)outputs * hidden)));
        tensors.Add(new(ModelTensors.HeadBias, [outputs], Uniform(outputs)));
        return (tensors, new Dictionary<string, string> { [ModelMetadataKeys.Task] = Tasks.Sequence });
    }

    /// <summary>
    /// A model of any description with seeded random weights for every tensor <see cref="ModelTensors.Of"/> lists
    /// (PyTorch's default init range); its safetensors metadata is the description.
    /// </summary>
    public static FloatLstmModel FromDescription(ModelDescription description, int seed = 1)
    {
        var random = new Random(seed);
        var tensors = new Dictionary<string, float[]>();
        foreach (TensorSpec spec in ModelTensors.Of(description, fusedBiases: false))
        {
            long n = spec.Shape.Aggregate(1L, (a, b) => a * b);
            float range = spec.Role == TensorRole.Embedding ? 1f : 1f / MathF.Sqrt(spec.Shape[^1]);
            var values = new float[n];
            for (long i = 0; i < n; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * range);
            tensors[spec.Name] = values;
        }
        return new FloatLstmModel(description, tensors);
    }

    /// <summary>A word-level BiLSTM sentiment classifier (labels negative, positive) with random weights.</summary>
    public static FloatLstmModel Classifier(string pooling = Poolings.Max, int seed = 1) => FromDescription(new ModelDescription
    {
        Input = new InputDescription
        {
            Kind = InputKinds.Tokens, Size = 8, MaxSteps = 50,
            Tokenizer = WordTokenizer.Build([Text, "a good film", "a bad film"], maxSize: 100, minCount: 1, lowercase: true).ToDescription(),
        },
        Encoder = [new EncoderLayerDescription { Hidden = 16, Bidirectional = true }],
        Head = new HeadDescription { Kind = HeadKinds.Classify, Pooling = pooling, Size = 2, Labels = ["negative", "positive"] },
    }, seed);

    /// <summary>Writes a model as safetensors with its description (what the trainers write).</summary>
    public static void Save(FloatLstmModel model, string path) => SafeTensorsWriter.Write(path, EdgeLstm.Converter.ModelConverter.FloatTensors(model),
        new Dictionary<string, string> { [ModelMetadataKeys.Model] = model.Description.ToJson() });

    /// <summary>Random token ids, the same for a seed.</summary>
    public static int[] Tokens(int count, int vocab, int seed)
    {
        var random = new Random(seed);
        var tokens = new int[count];
        for (int i = 0; i < count; i++) tokens[i] = random.Next(vocab);
        return tokens;
    }

    /// <summary>
    /// Logits after every step of <paramref name="tokens"/>, flattened. Float models run on the scalar reference,
    /// whose sums have a fixed order, so exact comparisons between equivalent models hold.
    /// </summary>
    public static float[] Run(ILanguageModel model, int[] tokens)
    {
        ILanguageModelSession session = model is FloatLstmModel f ? f.CreateReferenceSession() : model.CreateSession();
        var all = new List<float>();
        foreach (int t in tokens) all.AddRange(session.Step(t).ToArray());
        return all.ToArray();
    }
}
