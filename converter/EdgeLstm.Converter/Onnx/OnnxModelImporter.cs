using Google.Protobuf;
using Onnx;

namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// An ONNX file (e.g. from <c>torch.onnx.export</c>) → a <see cref="FloatLstmModel"/>: token embedding → LSTM layers
/// (forward, reverse or bidirectional) → a linear head at every step, or over their pooling (last, mean, max: <see cref="OnnxPoolingOps"/>)
/// with an optional Softmax. The protobuf is read with Google.Protobuf and the ONNX
/// schema's generated classes (OnnxSharp); the graph is walked by <see cref="OnnxGraphWalker"/>. An ONNX file holds no
/// vocabulary or labels, so the model description (docs/model-description.md) comes beside it, and every size it
/// states is checked against the graph. docs/onnx.md lists the graphs supported.
/// </summary>
public static class OnnxModelImporter
{
    /// <summary>Opset versions of the standard domain whose operators the importer reads as it does.</summary>
    public const int MinOpset = 7, MaxOpset = 22;

    public static bool IsOnnxPath(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    public static FloatLstmModel Import(string path, string descriptionPath)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        if (!File.Exists(descriptionPath)) throw new FileNotFoundException($"{descriptionPath}: no such file", descriptionPath);
        var description = ModelDescription.FromJson(File.ReadAllText(descriptionPath), Path.GetFileName(descriptionPath));
        return Import(File.ReadAllBytes(path), Path.GetFileName(path), description, Path.GetFileName(descriptionPath));
    }

    /// <param name="descriptionSource">The description's name in messages.</param>
    public static FloatLstmModel Import(byte[] bytes, string source, ModelDescription description, string descriptionSource = "description")
    {
        var proto = Parse(bytes, source);
        ModelSoFar model = OnnxGraphWalker.Walk(proto.Graph, source, proto.OpsetImport.First(o => o.Domain is "" or "ai.onnx").Version);
        Check(model, description, source, descriptionSource);
        return new FloatLstmModel(description, Tensors(model), new Dictionary<string, string>
        {
            [ModelMetadataKeys.FormatVersion] = ModelMetadataKeys.CurrentFormatVersion,
            [ModelMetadataKeys.Model] = description.ToJson(),
            ["edgelstm.imported_from"] = "onnx",
        }, source);
    }

    /// <summary>The ModelProto, its graph present and its opsets ones the importer reads.</summary>
    public static ModelProto Parse(byte[] bytes, string source)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException($"{source}: not a valid ONNX protobuf file ({e.Message})");
        }
        if (proto.Graph is null) throw new ModelFormatException($"{source}: the ONNX model has no graph (is this an ONNX file?)");
        var standard = proto.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").ToList();
        if (standard.Count != 1) throw new ModelFormatException($"{source}: expected one opset_import of the standard ONNX domain, found {standard.Count}");
        if (standard[0].Version is < MinOpset or > MaxOpset)
            throw new ModelFormatException($"{source}: opset {standard[0].Version} is outside the versions the importer reads ({MinOpset}..{MaxOpset})");
        return proto;
    }

    private static void Check(ModelSoFar m, ModelDescription d, string source, string descriptionSource)
    {
        void Fail(string why) => throw new ModelFormatException($"{descriptionSource}: {why} ({source})");
        if (d.Input.Kind != InputKinds.Tokens) Fail($"input.kind is {d.Input.Kind}; the graph reads token ids");
        if (d.Input.Affixes is not null) Fail("input.affixes: the graph has no affix features");
        if (d.Input.Tokenizer!.Vocabulary.Length != m.Vocabulary)
            Fail($"input.tokenizer.vocabulary lists {d.Input.Tokenizer.Vocabulary.Length} tokens; the graph's embedding has {m.Vocabulary} rows");
        if (d.Input.Size != m.EmbeddingSize) Fail($"input.size is {d.Input.Size}; the graph's embedding has {m.EmbeddingSize} columns");
        if (d.Encoder.Length != m.Layers.Length) Fail($"encoder lists {d.Encoder.Length} layers; the graph has {m.Layers.Length} LSTM layers");
        for (int k = 0; k < m.Layers.Length; k++)
        {
            var (layer, said) = (m.Layers[k], d.Encoder[k]);
            if (said.Hidden != layer.Hidden || said.Bidirectional != layer.Bidirectional || said.Reverse != layer.Reverse)
                Fail($"encoder[{k}] is hidden {said.Hidden}{(said.Bidirectional ? ", bidirectional" : said.Reverse ? ", reverse" : "")}; the graph's LSTM '{layer.Node}' is hidden {layer.Hidden}, {layer.Kind}");
        }
        if (d.Head.Pooling != m.Pooling)
            Fail($"head.pooling is {d.Head.Pooling}; " + (m.Pooling == Poolings.None ? "the graph's head runs at every step (pooling none)" : $"the graph pools {m.Pooling} (node '{m.PoolingNode}')"));
        if (m.Pooling == Poolings.None && d.Head.Kind is not (HeadKinds.NextToken or HeadKinds.Tag or HeadKinds.Regress))
            Fail($"head.kind {d.Head.Kind}: the graph's head at every step is next-token, tag or regress");
        if (m.Pooling != Poolings.None && d.Head.Kind is not (HeadKinds.Classify or HeadKinds.Regress))
            Fail($"head.kind {d.Head.Kind}: the graph's pooled head is classify or regress");
        if (m.SoftmaxNode is not null && d.Head.Kind == HeadKinds.Regress)
            Fail($"head.kind regress: the graph ends with a Softmax (node '{m.SoftmaxNode}'), class probabilities");
        if (d.Head.Crf) Fail("head.crf: the graph has no CRF transitions");
        if (d.Head.Size != m.Head!.Rows) Fail($"head.size is {d.Head.Size}; the graph's head has {m.Head.Rows} outputs");
    }

    /// <summary>The PyTorch state_dict names of <see cref="ModelTensors.Of"/>(description, fusedBiases: false).</summary>
    private static Dictionary<string, float[]> Tensors(ModelSoFar m)
    {
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal)
        {
            [ModelTensors.EmbeddingWeight] = m.Embedding,
            [ModelTensors.HeadWeight] = m.Head!.Weight,
            [ModelTensors.HeadBias] = m.Head.Bias!,
        };
        for (int k = 0; k < m.Layers.Length; k++)
        {
            for (int d = 0; d < m.Layers[k].Directions.Length; d++)
            {
                var w = m.Layers[k].Directions[d];
                bool reverse = d == 1 || m.Layers[k].Reverse;
                tensors[ModelTensors.WeightIh(k, reverse)] = w.WeightIh;
                tensors[ModelTensors.WeightHh(k, reverse)] = w.WeightHh;
                tensors[ModelTensors.BiasIh(k, reverse)] = w.BiasIh;
                tensors[ModelTensors.BiasHh(k, reverse)] = w.BiasHh;
            }
        }
        return tensors;
    }
}
