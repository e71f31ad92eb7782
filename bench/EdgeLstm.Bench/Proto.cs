using Google.Protobuf;

namespace EdgeLstm.Bench;

/// <summary>A protobuf message being written: fields in order, nested messages as length-delimited bytes.</summary>
internal sealed class Proto
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _out;

    public Proto() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    public Proto Int(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    public Proto String(int field, string value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
        return this;
    }

    public Proto Strings(int field, string[] values)
    {
        foreach (string value in values) String(field, value);
        return this;
    }

    public Proto Bytes(int field, byte[] value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public Proto Message(int field, Proto child) => Bytes(field, child.ToArray());

    public byte[] ToArray()
    {
        _out.Flush();
        return _buffer.ToArray();
    }
}
