using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UniAD.Core.Backbones;

/// <summary>The ImageNet ResNet-18 of CNTK's recipe, as exported to ONNX in NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18: torchvision-style basic blocks, but 2, 2, 2, 3 blocks per
/// stage, and inputs in BGR 0..255 minus the training mean. Taps are the ReLU outputs of stages 1–4.</summary>
/// <remarks>Every convolution and the max-pool use symmetric k/2 padding. That is CNTK's "same"
/// auto-padding at any input size (output ⌈H/s⌉, window i centred on input s·i); the export spells
/// it out for 224×224 as the asymmetric pads [3,3,2,2] and [1,1,0,0], whose extra end padding no
/// window reaches.</remarks>
public sealed class ResNet18Cntk : FeatureBackbone
{
    static readonly int[] Blocks = [2, 2, 2, 3];
    static readonly int[] Widths = [64, 128, 256, 512];

    /// <summary>Total channels of the given taps, without building the network.</summary>
    public static int TapChannels(IEnumerable<int> outLayers) => outLayers.Sum(l => Widths[l - 1]);
    const double BnEps = 1e-5;

    // Channel means (B, G, R; 0..255) of ResNetPreprocess.onnx's 224×224 "MeanImage". That image varies
    // by only a few levels across pixels and cannot be applied to other sizes, so its means replace it.
    static readonly float[] MeansBgr = [103.062624f, 115.902882f, 123.151631f];

    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly MaxPool2d maxpool;
    readonly ModuleList<Sequential> layers;   // stages 1 .. last requested tap
    readonly Tensor meanBgr;   // 1×3×1×1
    readonly int[] outLayers;

    public override IReadOnlyList<FeatureTap> Taps { get; }

    /// <summary>Randomly initialised network returning the stages in <paramref name="outLayers"/>
    /// (subset of 1..4, returned in ascending order); stages after the last one are not built.</summary>
    public ResNet18Cntk(IReadOnlyList<int> outLayers) : base(nameof(ResNet18Cntk))
    {
        if (outLayers.Count == 0 || outLayers.Any(l => l is < 1 or > 4) || outLayers.Distinct().Count() != outLayers.Count)
            throw new ArgumentException($"outLayers must be distinct values in 1..4, got [{string.Join(",", outLayers)}].", nameof(outLayers));
        this.outLayers = outLayers.Order().ToArray();
        Taps = this.outLayers.Select(l => new FeatureTap(l, Widths[l - 1], 4 << (l - 1))).ToArray();

        conv1 = Conv2d(3, 64, kernel_size: 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(64, eps: BnEps);
        maxpool = MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        var stages = new List<Sequential>();
        for (int s = 0; s < this.outLayers[^1]; s++)
        {
            // The first block of stages 2-4 halves the resolution and widens.
            int inWidth = s == 0 ? 64 : Widths[s - 1], stride = s == 0 ? 1 : 2;
            stages.Add(Sequential(Enumerable.Range(0, Blocks[s])
                .Select(b => new BasicBlock(b == 0 ? inWidth : Widths[s], Widths[s], b == 0 ? stride : 1)).ToArray()));
        }
        layers = ModuleList(stages.ToArray());
        meanBgr = tensor(MeansBgr).reshape(1, 3, 1, 1);
        RegisterComponents();
    }

    /// <summary>B×3×H×W RGB in [0, 1] → one B×C×⌈H/s⌉×⌈W/s⌉ map per tap.</summary>
    public override Tensor[] forward(Tensor rgb)
    {
        if (rgb.dim() != 4 || rgb.shape[1] != 3)
            throw new ArgumentException($"Expected a B×3×H×W RGB batch, got [{string.Join(",", rgb.shape)}].", nameof(rgb));
        using var scope = NewDisposeScope();
        using var levels = 255f.ToScalar();                                  // explicit: see FeatureJitter
        var x = rgb.flip(1).mul(levels) - meanBgr;                           // B×3×H×W, BGR minus mean, as trained
        x = maxpool.call(functional.relu(bn1.call(conv1.call(x))));          // B×64×H/4×W/4
        var taps = new List<Tensor>();
        for (int s = 0; s < layers.Count; s++)
        {
            x = layers[s].call(x);                                           // B×Widths[s]×H/2^(s+2)×W/2^(s+2)
            if (outLayers.Contains(s + 1)) taps.Add(x);
        }
        return taps.Select(t => t.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>The network with every weight read from a CNTK ResNet-18 ONNX file, frozen.</summary>
    public static ResNet18Cntk FromOnnx(string onnxPath, IReadOnlyList<int> outLayers)
    {
        if (!File.Exists(onnxPath)) throw ModelNotFound(onnxPath);
        var model = new ResNet18Cntk(outLayers);
        new OnnxWeights(OnnxModelReader.Read(onnxPath)).LoadInto(model);
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

    /// <summary>conv3×3-BN-ReLU, conv3×3-BN, plus a shortcut (a strided conv1×1-BN projection when
    /// the block changes width and resolution), then ReLU.</summary>
    sealed class BasicBlock : Module<Tensor, Tensor>
    {
        public readonly int Stride;
        public readonly Conv2d conv1, conv2;
        public readonly BatchNorm2d bn1, bn2;
        public readonly Conv2d? shortcutConv;
        public readonly BatchNorm2d? shortcutBn;

        public BasicBlock(int inChannels, int channels, int stride) : base(nameof(BasicBlock))
        {
            Stride = stride;
            conv1 = Conv2d(inChannels, channels, kernel_size: 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(channels, eps: BnEps);
            conv2 = Conv2d(channels, channels, kernel_size: 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(channels, eps: BnEps);
            if (stride != 1 || inChannels != channels)
            {
                shortcutConv = Conv2d(inChannels, channels, kernel_size: 1, stride: stride, bias: false);
                shortcutBn = BatchNorm2d(channels, eps: BnEps);
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)                              // B×Cin×H×W
        {
            using var scope = NewDisposeScope();
            var y = functional.relu(bn1.call(conv1.call(x)));                // B×C×H/s×W/s
            y = bn2.call(conv2.call(y));
            var shortcut = shortcutConv is null ? x : shortcutBn!.call(shortcutConv.call(x));
            return functional.relu(y + shortcut).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Copies ONNX initializers into the modules by following the graph's data flow from its
    /// input (stem, then block by block), checking every node's window and every tensor's shape.</summary>
    sealed class OnnxWeights(OnnxGraph graph)
    {
        readonly ILookup<string, OnnxNode> readers =
            graph.Nodes.SelectMany(n => n.Inputs.Select(i => (i, n))).ToLookup(p => p.i, p => p.n);
        readonly HashSet<string> used = [];

        public void LoadInto(ResNet18Cntk m)
        {
            using var _ = no_grad();
            string x = graph.Inputs.Count == 1 ? graph.Inputs[0]
                : throw new InvalidFileException($"Expected one ONNX graph input, found [{string.Join(",", graph.Inputs)}].");
            x = Relu(ConvBn(Reader(x, "Conv"), m.conv1, m.bn1, stride: 2));
            var pool = Reader(x, "MaxPool");
            ExpectWindow(pool, kernel: 3, stride: 2);
            x = pool.Outputs[0];
            foreach (var stage in m.layers)
                foreach (var block in stage.children().Cast<BasicBlock>())
                    x = Block(x, block);

            var unused = graph.Initializers.Keys.Where(k => !used.Contains(k)).ToList();
            if (m.layers.Count == Blocks.Length && unused.Count > 0)
                throw new InvalidFileException($"The ONNX graph has weights this ResNet-18 does not use: {string.Join(", ", unused)}.");
        }

        string Block(string x, BasicBlock b)
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
            if (Math.Abs(norm.Attribute("epsilon").F - BnEps) > 1e-9)
                throw new InvalidFileException($"ONNX node '{norm.Name}' has epsilon {norm.Attribute("epsilon").F}, expected {BnEps}.");
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
        /// end padding may differ: see the class remarks).</summary>
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
}
