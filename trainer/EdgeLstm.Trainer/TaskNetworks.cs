using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Trainer;

/// <summary>
/// Networks from model descriptions and back: the trainer's one switch on the task (<see cref="Create"/>), and the
/// float safetensors exchange format written with the description in its metadata and read as the runtime reads it.
/// </summary>
public static class TaskNetworks
{
    /// <summary>The network a description asks for, its layers checked against the description's tensor list.</summary>
    public static TaskNetwork Create(ModelDescription description, double dropout)
    {
        TaskNetwork network = description.Kind switch
        {
            ModelTask.LanguageModel => new LanguageModelNetwork(description, dropout),
            ModelTask.Classifier or ModelTask.Tagger => new ClassifierNetwork(description, dropout),
            ModelTask.Regressor when description.Input.Kind == InputKinds.Tokens => new ClassifierNetwork(description, dropout),
            ModelTask.Forecaster => new ForecastNetwork(description, dropout),
            ModelTask.Transducer => new Seq2SeqNetwork(description, dropout),
            _ => throw new ArgumentException($"the trainer has no network for a '{description.Task}' model over {description.Input.Kind}"),
        };
        network.CheckTensors();
        return network;
    }

    /// <summary><see cref="Create"/> for a caller that needs one network type.</summary>
    public static T Create<T>(ModelDescription description, double dropout) where T : TaskNetwork => As<T>(Create(description, dropout), "description");

    /// <summary>The network's weights (state_dict names) and its description, as a float safetensors file's bytes.</summary>
    public static byte[] Serialize(TaskNetwork network, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadataKeys.FormatVersion] = ModelMetadataKeys.CurrentFormatVersion,
            [ModelMetadataKeys.Model] = network.Description.ToJson(),
            ["edgelstm.dropout"] = network.Dropout.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>()) metadata[key] = value;
        return SafeTensorsWriter.Serialize(Tensors(network), metadata);
    }

    /// <summary>Writes the network to a temporary file and renames it to <paramref name="path"/>.</summary>
    public static void Save(string path, TaskNetwork network, IReadOnlyDictionary<string, string>? extraMetadata = null) =>
        AtomicFile.WriteAllBytes(path, Serialize(network, extraMetadata));

    /// <summary>The network's current weights as a runtime float model (in memory, validated as a file would be).</summary>
    public static FloatLstmModel ToFloatModel(TaskNetwork network) => FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(Serialize(network), "network"));

    /// <summary>A float model file (ours or PyTorch's) as a network in eval mode: its description and weights validated as the runtime validates them.</summary>
    public static TaskNetwork Load(string path, double dropout = 0)
    {
        var file = SafeTensorsReader.Read(path);
        using var model = FloatLstmModel.FromSafeTensors(file);
        var network = Create(model.Description, dropout);
        CopyWeights(file, network);
        network.eval();
        return network;
    }

    /// <summary>Copies every parameter of <paramref name="network"/> from the file's tensor of the same name (one the runtime has validated).</summary>
    public static void CopyWeights(SafeTensorsFile file, TaskNetwork network)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in network.named_parameters())
        {
            if (!file.Tensors.TryGetValue(name, out var info)) throw new ModelFormatException($"{file.Source}: tensor '{name}' is missing");
            using var source = tensor(file.ReadFloats(info), info.Shape);
            parameter.copy_(source);
        }
    }

    /// <summary><see cref="Load"/> for a caller that needs one network type; a file of another task is a one-line error.</summary>
    public static T Load<T>(string path, double dropout = 0) where T : TaskNetwork => As<T>(Load(path, dropout), path);

    /// <summary>A module's state_dict as safetensors tensors (names unchanged).</summary>
    public static List<SafeTensorsWriter.Tensor> Tensors(nn.Module network)
    {
        // The scope holds every temporary (detach, cpu) until the copies are made: an unreferenced temporary can
        // otherwise be finalized on the GC's thread while libtorch still reads it.
        using var scope = NewDisposeScope();
        var tensors = new List<SafeTensorsWriter.Tensor>();
        foreach (var (name, value) in network.state_dict())
        {
            var cpu = value.detach().cpu().contiguous();
            tensors.Add(new SafeTensorsWriter.Tensor(name, cpu.shape, cpu.data<float>().ToArray()));
        }
        return tensors;
    }

    private static T As<T>(TaskNetwork network, string source) where T : TaskNetwork
    {
        if (network is T typed) return typed;
        string task = network.Description.Task;
        network.Dispose();
        string expected = typeof(T).Name switch
        {
            nameof(LanguageModelNetwork) => "'char-lm' or 'word-lm'",
            nameof(ClassifierNetwork) => "'classify', 'tag' or 'regress'",
            nameof(ForecastNetwork) => "'forecast'",
            nameof(Seq2SeqNetwork) => "'seq2seq'",
            _ => typeof(T).Name,
        };
        throw new ModelFormatException($"{source}: a '{task}' model; expected a {expected} model here");
    }
}
