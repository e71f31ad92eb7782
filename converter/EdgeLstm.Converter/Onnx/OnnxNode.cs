using System.Diagnostics.CodeAnalysis;
using Onnx;

namespace EdgeLstm.Converter.Onnx;

/// <summary>One node as the importer reads it: its attributes, typed and checked, and its one-line errors naming the node and operator.</summary>
internal sealed class OnnxNode(NodeProto node, int index, string source)
{
    public NodeProto Proto => node;
    public string OpType => node.OpType;
    public string Source => source;

    /// <summary>The node's name, or its position and first output when it has none.</summary>
    public string Label => node.Name.Length > 0 ? node.Name : $"#{index} → {(node.Output.Count > 0 ? node.Output[0] : "")}";

    [DoesNotReturn]
    public void Fail(string why) => throw new ModelFormatException($"{source}: node '{Label}' ({node.OpType}): {why}");

    public void Expect([DoesNotReturnIf(false)] bool condition, string why)
    {
        if (!condition) Fail(why);
    }

    /// <summary>Fails on any attribute not in <paramref name="known"/>: one the importer does not read could change what the node computes.</summary>
    public void OnlyAttributes(params string[] known)
    {
        foreach (var a in node.Attribute)
            if (Array.IndexOf(known, a.Name) < 0) Fail($"attribute '{a.Name}' is not supported");
    }

    private AttributeProto? Find(string name, AttributeProto.Types.AttributeType type)
    {
        foreach (var a in node.Attribute)
        {
            if (a.Name != name) continue;
            // Files written before the type field existed leave it 0; accept those when the expected field is set.
            if (a.Type != type && a.Type != AttributeProto.Types.AttributeType.Undefined) Fail($"attribute '{name}' is of type {a.Type}; expected {type}");
            return a;
        }
        return null;
    }

    public bool Has(string name) => node.Attribute.Any(a => a.Name == name);

    public long Int(string name, long fallback) => Find(name, AttributeProto.Types.AttributeType.Int)?.I ?? fallback;

    public float Float(string name, float fallback) => Find(name, AttributeProto.Types.AttributeType.Float)?.F ?? fallback;

    public long[]? Ints(string name) => Find(name, AttributeProto.Types.AttributeType.Ints)?.Ints.ToArray();

    public string? String(string name) => Find(name, AttributeProto.Types.AttributeType.String)?.S.ToStringUtf8();

    public string[]? Strings(string name) => Find(name, AttributeProto.Types.AttributeType.Strings)?.Strings.Select(s => s.ToStringUtf8()).ToArray();

    public TensorProto? Tensor(string name) => Find(name, AttributeProto.Types.AttributeType.Tensor)?.T;

    /// <summary>An axis attribute or input entry, negative counting from the end, checked against the rank.</summary>
    public int Axis(long axis, int rank, string what)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) Fail($"{what} {axis} is outside a rank-{rank} tensor");
        return (int)a;
    }
}
