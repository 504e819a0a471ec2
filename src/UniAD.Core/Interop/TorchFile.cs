using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace UniAD.Core.Interop;

/// <summary>What <c>torch.save</c> wrote, in either of its formats: the zip archive of PyTorch 1.6 and later (read by
/// TorchSharp.PyBridge), or the older stream that the torch 1.5 the official code pins writes, and in which the
/// official EfficientNet weights were published (read here).</summary>
public static class TorchFile
{
    public enum Format { Zip, LegacyPickle, Other }

    /// <summary>The zip archive starts with a zip header; the older format with a pickle of protocol 2 (bytes 0x80 0x02).</summary>
    public static Format FormatOf(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int read = file.Read(head);
        if (read == 4 && head.SequenceEqual("PK\u0003\u0004"u8)) return Format.Zip;
        return read >= 2 && head[0] == 0x80 && head[1] == 0x02 ? Format.LegacyPickle : Format.Other;
    }

    /// <summary>The saved object: dicts as <see cref="Hashtable"/>, lists as <see cref="ArrayList"/>, tuples as arrays,
    /// tensors as CPU tensors.</summary>
    /// <exception cref="InvalidFileException">Not a file torch.save wrote, or a damaged one.</exception>
    public static Hashtable Read(string path, string name)
    {
        var format = FormatOf(path);
        if (format == Format.Other)
            throw new InvalidFileException($"{name} is not a PyTorch file: it is neither the zip archive torch.save writes nor its older pickle format");
        try
        {
            using var file = File.OpenRead(path);
            return format == Format.Zip ? PyTorchUnpickler.UnpickleStateDict(file) : Legacy.Read(new BufferedStream(file, 1 << 20));
        }
        catch (Exception e) when (e is InvalidCastException or InvalidOperationException or NotImplementedException or PickleException
                                      or KeyNotFoundException or EndOfStreamException or IndexOutOfRangeException)
        {
            throw new InvalidFileException($"{name} is not a PyTorch file the lab can read, or a damaged one ({e.Message})", e);
        }
    }

    /// <summary>The pre-1.6 format: four pickles (a magic number, the protocol version, system info, then the object, whose
    /// tensors name their storages by key), a pickled list of the storage keys, and then each storage as its element
    /// count (int64) followed by its raw little-endian bytes.</summary>
    private sealed class Legacy : Unpickler
    {
        private static readonly BigInteger Magic = BigInteger.Parse("01950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);

        /// <summary>A storage the object refers to, before its bytes are read.</summary>
        private sealed record Storage(string Key, ScalarType DType);

        /// <summary>A tensor of the object, made once the storages are read.</summary>
        private sealed record Pending(Storage Storage, long Offset, long[] Shape, long[] Stride);

        private readonly Dictionary<string, Storage> _storages = [];

        static Legacy()
        {
            // PyBridge registers its tensor constructors in its static constructor; let it run first, then wrap them.
            RuntimeHelpers.RunClassConstructor(typeof(PyTorchUnpickler).TypeHandle);
            foreach (var name in new[] { "_rebuild_tensor", "_rebuild_tensor_v2" })
            {
                var zipFormat = objectConstructors[$"torch._utils.{name}"];
                registerConstructor("torch._utils", name, new RebuildTensor(zipFormat));
            }
        }

        public static Hashtable Read(Stream file)
        {
            var header = new Unpickler();
            if (header.load(file) is not BigInteger magic || magic != Magic)
                throw new InvalidFileException("the magic number of a PyTorch file is missing");
            if (Convert.ToInt64(header.load(file)) != 1001) throw new InvalidFileException("an unknown PyTorch protocol version");
            header.load(file);                                             // system info: little-endian, type sizes
            var legacy = new Legacy();
            var saved = legacy.load(file);
            var keys = (ArrayList)new Unpickler().load(file);
            using var reader = new BinaryReader(file, System.Text.Encoding.UTF8, leaveOpen: true);
            var storages = new Dictionary<string, Tensor>();
            foreach (string key in keys)
            {
                long count = reader.ReadInt64();
                var storage = empty(count, legacy._storages[key].DType);
                storage.ReadBytesFromStream(file);
                storages[key] = storage;
            }
            try { return (Hashtable)Resolve(saved, storages)!; }
            finally { StateDict.DisposeAll(storages.Values); }
        }

        protected override object persistentLoad(object pid)
        {
            var id = (object[])pid;                                        // ("storage", type, key, location, count, view)
            if ((string)id[0] != "storage") throw new InvalidFileException($"an unknown persistent id '{id[0]}'");
            var key = (string)id[2];
            return _storages[key] = new Storage(key, DTypeOf(((ClassDictConstructor)id[1]).name));
        }

        private static ScalarType DTypeOf(string storage) => storage switch
        {
            "DoubleStorage" => float64, "FloatStorage" => float32, "HalfStorage" => float16, "BFloat16Storage" => bfloat16,
            "LongStorage" => int64, "IntStorage" => int32, "ShortStorage" => int16, "CharStorage" => int8, "ByteStorage" => uint8,
            "BoolStorage" => @bool,
            _ => throw new InvalidFileException($"a storage of type {storage}, which the lab does not read"),
        };

        /// <summary>The object with every pending tensor made from its storage (a copy: storages may be shared).</summary>
        private static object? Resolve(object? value, Dictionary<string, Tensor> storages)
        {
            switch (value)
            {
                case Pending p:
                    using (var view = storages[p.Storage.Key].as_strided(p.Shape, p.Stride, p.Offset)) return view.clone();
                case Hashtable table:
                    foreach (var key in table.Keys.Cast<object>().ToList()) table[key] = Resolve(table[key], storages);
                    return table;
                case ArrayList list:
                    for (int i = 0; i < list.Count; i++) list[i] = Resolve(list[i], storages);
                    return list;
                case object?[] tuple:
                    for (int i = 0; i < tuple.Length; i++) tuple[i] = Resolve(tuple[i], storages);
                    return tuple;
                default:
                    return value;
            }
        }

        /// <summary><c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)</c>: pending for this format's
        /// storages, PyBridge's own constructor for the zip format's.</summary>
        private sealed class RebuildTensor(IObjectConstructor zipFormat) : IObjectConstructor
        {
            public object construct(object[] args) => args[0] is Storage storage
                ? new Pending(storage, Convert.ToInt64(args[1]), Longs(args[2]), Longs(args[3]))
                : zipFormat.construct(args);

            private static long[] Longs(object tuple) => ((object[])tuple).Select(Convert.ToInt64).ToArray();
        }
    }
}
