using Xunit.Abstractions;
using static EdgeLstm.Tests.OnnxFixtures;

namespace EdgeLstm.Tests;

/// <summary>
/// An ONNX LSTM's optional inputs: zero initial states (absent, ConstantOfShape 0, a zero Constant expanded, a zero
/// initializer) import as the model's own start from zeros; sequence_lens from a graph input of one sequence imports
/// as running the whole sequence (the committed fixtures lstm_2layer_explicit_zero_state and bilstm_packed_tagger are
/// compared with PyTorch and ONNX Runtime with the others); every other initial state or sequence_lens is a one-line
/// error naming the LSTM node and the input.
/// </summary>
public sealed class OnnxLstmOptionalInputsTests(ITestOutputHelper output)
{
    private static Onnx.NodeProto Lstm(Onnx.ModelProto proto) => proto.Graph.Node.First(n => n.OpType == "LSTM");

    private static Onnx.TensorProto Floats(string name, long[] dims, float value)
    {
        var t = new Onnx.TensorProto { Name = name, DataType = (int)Onnx.TensorProto.Types.DataType.Float, Dims = { dims } };
        t.FloatData.AddRange(Enumerable.Repeat(value, (int)dims.Aggregate(1L, (a, b) => a * b)));
        return t;
    }

    private static Onnx.ValueInfoProto GraphInput(string name, Onnx.TensorProto.Types.DataType type, params long[] dims) => new()
    {
        Name = name,
        Type = new Onnx.TypeProto { TensorType = new Onnx.TypeProto.Types.Tensor { ElemType = (int)type, Shape = new Onnx.TensorShapeProto { Dim = { dims.Select(d => new Onnx.TensorShapeProto.Types.Dimension { DimValue = d }) } } } },
    };

    private static void SetFirstFloat(Onnx.TensorProto t, float value)
    {
        byte[] raw = t.RawData.ToByteArray();
        BitConverter.GetBytes(value).CopyTo(raw, 0);
        t.RawData = Google.Protobuf.ByteString.CopyFrom(raw);
    }

    /// <summary>initial_h and initial_c as zero initializers [1, 1, H] (an export of fixed zeros folded to constants): PyTorch's outputs still.</summary>
    [Fact]
    public void ZeroInitializerStatesAreNoStates()
    {
        var proto = Proto("lstm_seq_first");
        var lstm = Lstm(proto);
        proto.Graph.Initializer.Add(Floats("h0", [1, 1, 10], 0));
        proto.Graph.Initializer.Add(Floats("c0", [1, 1, 10], 0));
        (lstm.Input[5], lstm.Input[6]) = ("h0", "c0");
        var (tokens, pytorch, softmax) = Expected("lstm_seq_first");
        var (diff, _) = MaxDiff(Run(Import(proto, "lstm_seq_first"), tokens, softmax), pytorch);
        output.WriteLine($"zero initializers as initial_h, initial_c: max |ours − PyTorch| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max |ours − PyTorch| = {diff:E2}");
    }

    [Fact]
    public void OtherInitialStatesAreOneLineNamingTheNodeAndInput()
    {
        var nonZero = Proto("lstm_seq_first");
        nonZero.Graph.Initializer.Add(Floats("h0", [1, 1, 10], 0.5f));
        Lstm(nonZero).Input[5] = "h0";
        Assert.StartsWith($"lstm_seq_first.onnx: node '{Lstm(nonZero).Name}' (LSTM): initial_h 'h0' is a non-zero constant [1, 1, 10]; only zero initial states are supported",
            ImportError(nonZero, "lstm_seq_first").Message);

        var fed = Proto("lstm_seq_first");
        fed.Graph.Input.Add(GraphInput("c0", Onnx.TensorProto.Types.DataType.Float, 1, 1, 10));
        Lstm(fed).Input[6] = "c0";
        Assert.StartsWith($"lstm_seq_first.onnx: node '{Lstm(fed).Name}' (LSTM): initial_c 'c0' is graph input 'c0'; initial states fed from outside are not supported",
            ImportError(fed, "lstm_seq_first").Message);

        // PyTorch's export of torch.zeros(2, 1, H) as c0 is a Constant then Expand: the same with ones.
        var ones = Proto("lstm_2layer_explicit_zero_state");
        var expand = ones.Graph.Node.First(n => n.OpType == "Expand");
        var constant = ones.Graph.Node.Single(n => n.OpType == "Constant" && n.Output[0] == expand.Input[0]);
        SetFirstFloat(constant.Attribute.Single(a => a.Name == "value").T, 1);
        Assert.StartsWith($"lstm_2layer_explicit_zero_state.onnx: node '{Lstm(ones).Name}' (LSTM): initial_c '{expand.Output[0]}' is a non-zero constant broadcast by node '{expand.Name}' (Expand)",
            ImportError(ones, "lstm_2layer_explicit_zero_state").Message);

        // torch.full((2, B, H), 1.0) as h0: ConstantOfShape of 1.
        var filled = Proto("lstm_2layer_explicit_zero_state");
        var fill = filled.Graph.Node.Single(n => n.OpType == "ConstantOfShape");
        SetFirstFloat(fill.Attribute.Single(a => a.Name == "value").T, 1);
        Assert.StartsWith($"lstm_2layer_explicit_zero_state.onnx: node '{Lstm(filled).Name}' (LSTM): initial_h '{Lstm(filled).Input[5]}' is filled with a value other than 0 by node '{fill.Name}' (ConstantOfShape)",
            ImportError(filled, "lstm_2layer_explicit_zero_state").Message);
    }

    /// <summary>The packed fixture's lengths changed to what one sequence run whole cannot equal.</summary>
    [Fact]
    public void OtherSequenceLengthsAreOneLineNamingTheNode()
    {
        var constant = Proto("bilstm_packed_tagger");
        constant.Graph.Initializer.Add(new Onnx.TensorProto { Name = "fixed_lengths", DataType = (int)Onnx.TensorProto.Types.DataType.Int32, Dims = { 1 }, Int32Data = { 7 } });
        Lstm(constant).Input[4] = "fixed_lengths";
        Assert.StartsWith($"bilstm_packed_tagger.onnx: node '{Lstm(constant).Name}' (LSTM): sequence_lens is a constant [1]; only a graph input (the lengths of a batch of one) is supported",
            ImportError(constant, "bilstm_packed_tagger").Message);

        var batch = Proto("bilstm_packed_tagger");
        batch.Graph.Input.Single(i => i.Name == "lengths").Type.TensorType.Shape.Dim[0].DimValue = 3;
        Assert.StartsWith($"bilstm_packed_tagger.onnx: node '{Lstm(batch).Name}' (LSTM): sequence_lens is graph input 'lengths' [3]; only one sequence per batch",
            ImportError(batch, "bilstm_packed_tagger").Message);

        var otherUse = Proto("bilstm_packed_tagger");
        var cast = otherUse.Graph.Node.First(n => n.Input.Contains("lengths"));
        cast.OpType = "Shape";
        cast.Attribute.Clear();
        Assert.StartsWith($"bilstm_packed_tagger.onnx: node '{cast.Name}' (Shape): input 'lengths' is graph input 'lengths'; a graph input besides the token ids may only be an LSTM's sequence_lens",
            ImportError(otherUse, "bilstm_packed_tagger").Message);
    }
}
