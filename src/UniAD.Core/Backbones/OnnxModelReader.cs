using System.Runtime.InteropServices;
using Google.Protobuf;

namespace UniAD.Core.Backbones;

/// <summary>An ONNX node attribute; only the scalar, string and integer-list kinds are decoded.</summary>
public sealed record OnnxAttribute(long I, float F, string S, IReadOnlyList<long> Ints);

/// <summary>One ONNX graph node: operator, data flow (tensor names) and attributes by name.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    public OnnxAttribute Attribute(string name) => Attributes.TryGetValue(name, out var a) ? a
        : throw new InvalidFileException($"ONNX node '{Name}' ({OpType}) has no attribute '{name}'.");
}

/// <summary>A FLOAT initializer: name, shape and values in row-major order.</summary>
public sealed record OnnxTensor(string Name, IReadOnlyList<long> Dims, float[] Data);

/// <summary>The parts of an ONNX graph a weight loader needs. <see cref="Inputs"/> are the runtime
/// inputs only (IR &lt; 4 also lists initializers as graph inputs; those are left out).</summary>
public sealed record OnnxGraph(IReadOnlyList<OnnxNode> Nodes, IReadOnlyDictionary<string, OnnxTensor> Initializers,
    IReadOnlyList<string> Inputs);

/// <summary>Minimal ONNX ModelProto reader on protobuf's wire format (field numbers from onnx.proto),
/// streaming from the file: it decodes graph nodes, FLOAT initializers and input names and skips
/// everything else (value_info, doc strings, metadata) without buffering it.</summary>
public static class OnnxModelReader
{
    const int FloatType = 1;   // TensorProto.DataType.FLOAT

    public static OnnxGraph Read(string path)
    {
        // Tensor data is little-endian on the wire and is reinterpreted in place (MemoryMarshal.Cast).
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX reading needs a little-endian host.");
        using var file = File.OpenRead(path);
        using var input = new CodedInputStream(file);
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>();
        var inputs = new List<string>();
        bool sawGraph = false;
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (Field(tag) != 7) { input.SkipLastField(); continue; }   // ModelProto.graph
            sawGraph = true;   // a repeated singular message field is merged, so each occurrence adds to one graph
            ReadMessage(input, t =>
            {
                switch (Field(t))
                {
                    case 1: nodes.Add(ReadNode(input)); break;                 // GraphProto.node
                    case 5:                                                    // .initializer
                        var w = ReadTensor(input);
                        if (!initializers.TryAdd(w.Name, w)) throw new InvalidFileException($"Duplicate ONNX initializer '{w.Name}'.");
                        break;
                    case 11: inputs.Add(ReadValueInfoName(input)); break;      // .input
                    default: input.SkipLastField(); break;
                }
            });
        }
        if (!sawGraph) throw new InvalidFileException($"'{path}' holds no ONNX graph.");
        return new OnnxGraph(nodes, initializers, inputs.Where(n => !initializers.ContainsKey(n)).ToList());
    }

    static OnnxNode ReadNode(CodedInputStream input)
    {
        string name = "", op = "";
        List<string> inputs = [], outputs = [];
        var attributes = new Dictionary<string, OnnxAttribute>();
        ReadMessage(input, t =>
        {
            switch (Field(t))
            {
                case 1: inputs.Add(input.ReadString()); break;
                case 2: outputs.Add(input.ReadString()); break;
                case 3: name = input.ReadString(); break;
                case 4: op = input.ReadString(); break;
                case 5: var (key, a) = ReadAttribute(input); attributes[key] = a; break;
                default: input.SkipLastField(); break;
            }
        });
        return new OnnxNode(name, op, inputs, outputs, attributes);
    }

    static (string Name, OnnxAttribute Value) ReadAttribute(CodedInputStream input)
    {
        string name = "", s = "";
        long i = 0;
        float f = 0;
        var ints = new List<long>();
        ReadMessage(input, t =>
        {
            switch (Field(t))
            {
                case 1: name = input.ReadString(); break;
                case 2: f = input.ReadFloat(); break;
                case 3: i = input.ReadInt64(); break;
                case 4: s = input.ReadBytes().ToStringUtf8(); break;
                case 8: ReadInt64s(input, t, ints); break;
                default: input.SkipLastField(); break;
            }
        });
        return (name, new OnnxAttribute(i, f, s, ints));
    }

    static OnnxTensor ReadTensor(CodedInputStream input)
    {
        string name = "";
        int dataType = 0;
        bool external = false;
        var dims = new List<long>();
        var data = new List<float>();
        ReadMessage(input, t =>
        {
            switch (Field(t))
            {
                case 1: ReadInt64s(input, t, dims); break;
                case 2: dataType = input.ReadInt32(); break;
                // float_data: packed (length-delimited little-endian floats, as CNTK writes it) or one per tag.
                case 4 when WireFormat.GetTagWireType(t) == WireFormat.WireType.LengthDelimited:
                case 9: data.AddRange(MemoryMarshal.Cast<byte, float>(input.ReadBytes().Span)); break;   // raw_data
                case 4: data.Add(input.ReadFloat()); break;
                case 8: name = input.ReadString(); break;
                case 13: external = true; input.SkipLastField(); break;   // external_data
                default: input.SkipLastField(); break;
            }
        });
        if (dataType != FloatType || external)
            throw new InvalidFileException($"ONNX initializer '{name}': only FLOAT tensors stored in the file are supported " +
                                            $"(data_type {dataType}{(external ? ", external data" : "")}).");
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (data.Count != count)
            throw new InvalidFileException($"ONNX initializer '{name}' has {data.Count} values for shape [{string.Join(",", dims)}].");
        return new OnnxTensor(name, dims, data.ToArray());
    }

    static string ReadValueInfoName(CodedInputStream input)
    {
        string name = "";
        ReadMessage(input, t => { if (Field(t) == 1) name = input.ReadString(); else input.SkipLastField(); });
        return name;
    }

    /// <summary>Reads the length-delimited message at the cursor, passing each field's tag to
    /// <paramref name="field"/>, which must consume or skip that field's value.</summary>
    static void ReadMessage(CodedInputStream input, Action<uint> field)
    {
        int length = input.ReadLength();
        long end = input.Position + length;
        while (input.Position < end) field(input.ReadTag());
        if (input.Position != end) throw new InvalidFileException("Malformed ONNX protobuf: a field overruns its message.");
    }

    /// <summary>A repeated int64 field, packed (one length-delimited run) or one value per tag.</summary>
    static void ReadInt64s(CodedInputStream input, uint tag, List<long> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited) { into.Add(input.ReadInt64()); return; }
        int length = input.ReadLength();
        long end = input.Position + length;
        while (input.Position < end) into.Add(input.ReadInt64());
    }

    static int Field(uint tag) => WireFormat.GetTagFieldNumber(tag);
}
