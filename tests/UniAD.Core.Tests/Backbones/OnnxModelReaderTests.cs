using System.Runtime.InteropServices;
using Google.Protobuf;
using UniAD.Core.Backbones;

namespace UniAD.Core.Tests.Backbones;

public class OnnxModelReaderTests
{
    [Fact]
    public void ReadsNodesAttributesAndEveryFloatEncoding()
    {
        // IR 3 style: the initializer W is also listed as a graph input; the graph comes in two
        // ModelProto.graph fields, which protobuf merges.
        byte[] first = Proto.Message(m =>
        {
            m.Field(1, 3L);                                                        // ir_version
            m.Field(7, Proto.Message(g =>
            {
                g.Field(1, Proto.Message(n =>                                      // node
                {
                    n.Field(1, "image"); n.Field(1, "W"); n.Field(2, "y");
                    n.Field(3, "stem"); n.Field(4, "Conv"); n.Field(6, "doc");
                    n.Field(5, Attribute("kernel_shape", a => a.Packed(8, [7, 7])));
                    n.Field(5, Attribute("strides", a => { a.Field(8, 2L); a.Field(8, 2L); }));   // unpacked ints
                    n.Field(5, Attribute("group", a => a.Field(3, 1L)));
                    n.Field(5, Attribute("epsilon", a => { a.WriteTag(2, WireFormat.WireType.Fixed32); a.WriteFloat(1e-5f); }));
                    n.Field(5, Attribute("auto_pad", a => a.Field(4, "NOTSET")));
                }));
                g.Field(11, Proto.Message(v => v.Field(1, "image")));
                g.Field(11, Proto.Message(v => v.Field(1, "W")));
                g.Field(13, Proto.Message(v => v.Field(1, "y")));                  // value_info: skipped
            }));
        });
        byte[] second = Proto.Message(m => m.Field(7, Proto.Message(g =>
        {
            g.Field(5, Tensor("W", [2, 3], t =>                                    // raw_data
                t.Field(9, MemoryMarshal.AsBytes<float>([1, 2, 3, 4, 5, 6]).ToArray())));
            g.Field(5, Tensor("P", [2], t =>                                       // packed float_data
                t.Field(4, MemoryMarshal.AsBytes<float>([7, 8]).ToArray())));
            g.Field(5, Tensor("U", [3], t =>                                       // unpacked float_data, unpacked dims
            {
                foreach (var v in new[] { 9f, 10f, 11f }) { t.WriteTag(4, WireFormat.WireType.Fixed32); t.WriteFloat(v); }
            }, packedDims: false));
        })));

        var graph = WithTempFile([.. first, .. second], OnnxModelReader.Read);

        var node = Assert.Single(graph.Nodes);
        Assert.Equal(("stem", "Conv"), (node.Name, node.OpType));
        Assert.Equal(["image", "W"], node.Inputs);
        Assert.Equal(["y"], node.Outputs);
        Assert.Equal([7L, 7], node.Attribute("kernel_shape").Ints);
        Assert.Equal([2L, 2], node.Attribute("strides").Ints);
        Assert.Equal(1, node.Attribute("group").I);
        Assert.Equal(1e-5f, node.Attribute("epsilon").F);
        Assert.Equal("NOTSET", node.Attribute("auto_pad").S);
        Assert.Contains("no attribute 'pads'", Assert.Throws<InvalidFileException>(() => node.Attribute("pads")).Message);

        Assert.Equal(["image"], graph.Inputs);
        Assert.Equal([2L, 3], graph.Initializers["W"].Dims);
        Assert.Equal([1f, 2, 3, 4, 5, 6], graph.Initializers["W"].Data);
        Assert.Equal([7f, 8], graph.Initializers["P"].Data);
        Assert.Equal([3L], graph.Initializers["U"].Dims);
        Assert.Equal([9f, 10, 11], graph.Initializers["U"].Data);
    }

    [Fact]
    public void ShapeMismatchNamesTheTensor()
    {
        // A stem convolution whose weight has 32 output channels where the ResNet has 64.
        byte[] model = Proto.Message(m => m.Field(7, Proto.Message(g =>
        {
            g.Field(1, Proto.Message(n =>
            {
                n.Field(1, "image"); n.Field(1, "W"); n.Field(2, "y"); n.Field(3, "stem"); n.Field(4, "Conv");
                n.Field(5, Attribute("kernel_shape", a => a.Packed(8, [7, 7])));
                n.Field(5, Attribute("strides", a => a.Packed(8, [2, 2])));
                n.Field(5, Attribute("pads", a => a.Packed(8, [3, 3, 2, 2])));
            }));
            g.Field(5, Tensor("W", [32, 3, 7, 7], t => t.Field(4, new byte[32 * 3 * 7 * 7 * sizeof(float)])));
            g.Field(11, Proto.Message(v => v.Field(1, "image")));
        })));

        var e = Assert.Throws<InvalidFileException>(() => WithTempFile(model, path => ResNet18CntkWeights.FromOnnx(path, [1])));
        Assert.Contains("'W'", e.Message);
        Assert.Contains("[32,3,7,7], expected [64,3,7,7]", e.Message);
    }

    static byte[] Attribute(string name, Action<CodedOutputStream> value) =>
        Proto.Message(a => { a.Field(1, name); value(a); });

    static byte[] Tensor(string name, long[] dims, Action<CodedOutputStream> data, bool packedDims = true) =>
        Proto.Message(t =>
        {
            if (packedDims) t.Packed(1, dims);
            else foreach (var d in dims) t.Field(1, d);
            t.Field(2, 1L);                                                        // data_type FLOAT
            t.Field(8, name);
            data(t);
        });

    static T WithTempFile<T>(byte[] bytes, Func<string, T> use)
    {
        string path = Path.Combine(Path.GetTempPath(), $"uniad-onnx-test-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes);
        try { return use(path); }
        finally { File.Delete(path); }
    }
}
