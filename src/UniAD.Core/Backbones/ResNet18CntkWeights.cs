using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UniAD.Core.Backbones;

/// <summary>Reads the CNTK ResNet-18 ONNX file that ships with the lab into a <see cref="ResNet18Cntk"/>: it copies the
/// initializers into the modules by following the graph's data flow from its input (stem, then block by block),
/// checking every node's window and every tensor's shape, so a file of another network is refused, not half-loaded.</summary>
public sealed class ResNet18CntkWeights
{
    /// <summary>The network with every weight read from a CNTK ResNet-18 ONNX file, frozen.</summary>
    public static ResNet18Cntk FromOnnx(string onnxPath, IReadOnlyList<int> outLayers)
    {
        if (!File.Exists(onnxPath)) throw ModelNotFound(onnxPath);
        var model = new ResNet18Cntk(outLayers);
        new ResNet18CntkWeights(OnnxModelReader.Read(onnxPath)).LoadInto(model);
        model.Freeze();
        return model;
    }

    /// <summary>DnnImageModels/ResNet18Onnx/ResNet18.onnx in <paramref name="baseDirectory"/> (default: next to
    /// the application), where the NuGet package's build props copy it.</summary>
    public static string DefaultModelPath(string? baseDirectory = null)
    {
        string path = Path.Combine(baseDirectory ?? AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        return File.Exists(path) ? path : throw ModelNotFound(path);
    }

    static InvalidFileException ModelNotFound(string path) => new(
        $"ResNet-18 ONNX model not found at '{path}'. It ships in NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 " +
        "0.23.1 (tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx), which every build that references UniAD.Core copies " +
        "to its output; rebuild, or pass the file's path.");

    readonly OnnxGraph graph;
    readonly ILookup<string, OnnxNode> readers;   // tensor name → the nodes that take it as an input
    readonly HashSet<string> used = [];

    ResNet18CntkWeights(OnnxGraph graph)
    {
        this.graph = graph;
        readers = graph.Nodes.SelectMany(n => n.Inputs.Select(i => (i, n))).ToLookup(p => p.i, p => p.n);
    }

    void LoadInto(ResNet18Cntk m)
    {
        using var _ = no_grad();
        string x = graph.Inputs.Count == 1 ? graph.Inputs[0]
            : throw new InvalidFileException($"Expected one ONNX graph input, found [{string.Join(",", graph.Inputs)}].");
        x = Relu(ConvBn(Reader(x, "Conv"), m.conv1, m.bn1, stride: 2));
        var pool = Reader(x, "MaxPool");
        ExpectWindow(pool, kernel: 3, stride: 2);
        x = pool.Outputs[0];
        foreach (var stage in m.layers)
            foreach (var block in stage.children().Cast<ResNet18Cntk.BasicBlock>())
                x = Block(x, block);

        var unused = graph.Initializers.Keys.Where(k => !used.Contains(k)).ToList();
        if (m.layers.Count == ResNet18Cntk.Blocks.Length && unused.Count > 0)
            throw new InvalidFileException($"The ONNX graph has weights this ResNet-18 does not use: {string.Join(", ", unused)}.");
    }

    string Block(string x, ResNet18Cntk.BasicBlock b)
    {
        // The block input feeds the main 3×3 conv and, in a projection block, a 1×1 conv too.
        var convs = readers[x].Where(n => n.OpType == "Conv").ToList();
        var main = convs.Single(c => c.Attribute("kernel_shape").Ints[0] == 3);
        var projection = convs.SingleOrDefault(c => c.Attribute("kernel_shape").Ints[0] == 1);
        if ((projection is null) != (b.shortcutConv is null))
            throw new InvalidFileException($"The ONNX block reading '{x}' has {(projection is null ? "an identity" : "a projection")} " +
                                           "shortcut where this ResNet-18 has the other kind.");
        string y = Relu(ConvBn(main, b.conv1, b.bn1, b.Stride));
        y = ConvBn(Reader(y, "Conv"), b.conv2, b.bn2, stride: 1);
        string shortcut = projection is null ? x : ConvBn(projection, b.shortcutConv!, b.shortcutBn!, b.Stride);
        var add = Reader(y, "Add");
        if (!add.Inputs.Contains(shortcut))
            throw new InvalidFileException($"ONNX node '{add.Name}' does not add the block's shortcut '{shortcut}'.");
        return Relu(add.Outputs[0]);
    }

    /// <summary>Loads a Conv node and the BatchNormalization reading it; returns the BN output.</summary>
    string ConvBn(OnnxNode conv, Conv2d c, BatchNorm2d bn, int stride)
    {
        ExpectWindow(conv, kernel: (int)c.weight!.shape[2], stride);
        if (conv.Attributes.TryGetValue("group", out var group) && group.I != 1)
            throw new InvalidFileException($"ONNX node '{conv.Name}' is a grouped convolution.");
        Copy(conv, 1, c.weight);
        var norm = Reader(conv.Outputs[0], "BatchNormalization");
        if (Math.Abs(norm.Attribute("epsilon").F - ResNet18Cntk.BnEps) > 1e-9)
            throw new InvalidFileException($"ONNX node '{norm.Name}' has epsilon {norm.Attribute("epsilon").F}, expected {ResNet18Cntk.BnEps}.");
        Copy(norm, 1, bn.weight!);         // scale
        Copy(norm, 2, bn.bias!);           // B
        Copy(norm, 3, bn.running_mean!);
        Copy(norm, 4, bn.running_var!);
        return norm.Outputs[0];
    }

    void Copy(OnnxNode node, int input, Tensor target)
    {
        string name = node.Inputs[input];
        var w = graph.Initializers.GetValueOrDefault(name)
                ?? throw new InvalidFileException($"Input {input} ('{name}') of ONNX node '{node.Name}' is not an initializer.");
        if (!w.Dims.SequenceEqual(target.shape))
            throw new InvalidFileException($"ONNX initializer '{name}' (input {input} of {node.OpType} '{node.Name}') has shape " +
                                           $"[{string.Join(",", w.Dims)}], expected [{string.Join(",", target.shape)}].");
        using var source = tensor(w.Data, target.shape);
        target.copy_(source);
        used.Add(name);
    }

    OnnxNode Reader(string tensorName, string opType)
    {
        var found = readers[tensorName].Where(n => n.OpType == opType).ToList();
        return found.Count == 1 ? found[0]
            : throw new InvalidFileException($"Expected one ONNX {opType} node reading '{tensorName}', found {found.Count}.");
    }

    string Relu(string tensorName) => Reader(tensorName, "Relu").Outputs[0];

    /// <summary>A square kernel×kernel window at the given stride with begin padding kernel/2 (the
    /// end padding may differ: see <see cref="ResNet18Cntk"/>'s remarks).</summary>
    static void ExpectWindow(OnnxNode node, int kernel, int stride)
    {
        var k = node.Attribute("kernel_shape").Ints;
        var s = node.Attribute("strides").Ints;
        var p = node.Attribute("pads").Ints;
        if (k.Count != 2 || k.Any(v => v != kernel) || s.Count != 2 || s.Any(v => v != stride) || p.Count != 4 || p[0] != kernel / 2 || p[1] != kernel / 2)
            throw new InvalidFileException($"ONNX node '{node.Name}' ({node.OpType}) has kernel [{string.Join(",", k)}], strides " +
                                           $"[{string.Join(",", s)}], pads [{string.Join(",", p)}]; expected {kernel}×{kernel}, " +
                                           $"stride {stride}, begin padding {kernel / 2}.");
    }
}
