using Google.Protobuf;

namespace UniAD.Core.Tests.Backbones;

/// <summary>Writes protobuf messages by field number, for hand-made ONNX models and graph patches.</summary>
static class Proto
{
    public static byte[] Message(Action<CodedOutputStream> write)
    {
        var bytes = new MemoryStream();
        using (var output = new CodedOutputStream(bytes, leaveOpen: true)) write(output);
        return bytes.ToArray();
    }

    public static void Field(this CodedOutputStream o, int number, byte[] message)
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(message));
    }

    public static void Field(this CodedOutputStream o, int number, string value)
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    public static void Field(this CodedOutputStream o, int number, long value)
    {
        o.WriteTag(number, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    public static void Packed(this CodedOutputStream o, int number, IEnumerable<long> values) =>
        o.Field(number, Message(p => { foreach (var v in values) p.WriteInt64(v); }));

    /// <summary>ONNX graph outputs for existing tensors: a GraphProto holding only <c>output</c>
    /// ValueInfoProtos (field 12, name only), wrapped as ModelProto field 7. Appended to a model, protobuf
    /// merges it into the model's graph, so the named intermediates become outputs.</summary>
    public static byte[] ExtraGraphOutputs(IEnumerable<string> names) =>
        Message(m => m.Field(7, Message(g => { foreach (var n in names) g.Field(12, Message(v => v.Field(1, n))); })));
}
