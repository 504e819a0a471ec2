using static TorchSharp.torch;

namespace UniAD.Core.Configuration;

/// <summary>Chooses where tensors live: CUDA when available, else CPU, unless the user says otherwise.</summary>
public static class DeviceSelector
{
    /// <param name="preference">"auto" (default), "cpu", "cuda" or "cuda:N".</param>
    public static Device Resolve(string? preference)
    {
        var choice = string.IsNullOrWhiteSpace(preference) ? "auto" : preference.Trim().ToLowerInvariant();
        if (choice == "auto") return cuda.is_available() ? CUDA : CPU;
        if (choice == "cpu") return CPU;
        if (choice.StartsWith("cuda"))
        {
            if (!cuda.is_available())
                throw new ConfigException($"device '{preference}' requested, but CUDA is not available " +
                    "(this build uses TorchSharp-cpu; build with -p:TorchBackend=cuda on a machine with a GPU)");
            return device(choice);
        }
        throw new ConfigException(UnknownDevice(preference));
    }

    /// <summary>Null when <paramref name="preference"/> names a device this selector understands (whether or not this
    /// machine has it: a queued run may train on another), else what is wrong with it.</summary>
    public static string? Problem(string? preference) =>
        string.IsNullOrWhiteSpace(preference) || System.Text.RegularExpressions.Regex.IsMatch(preference.Trim().ToLowerInvariant(), @"^(auto|cpu|cuda(:\d+)?)$")
            ? null : UnknownDevice(preference);

    private static string UnknownDevice(string? preference) => $"unknown device '{preference}': use auto, cpu, cuda or cuda:N";

    /// <summary>How many trainings can run side by side: one per visible GPU when the preference allows CUDA
    /// (all of them for "auto" or "cuda", one for "cuda:N"), else one.</summary>
    public static int GpuCount(string? preference)
    {
        var choice = string.IsNullOrWhiteSpace(preference) ? "auto" : preference.Trim().ToLowerInvariant();
        if (choice is not ("auto" or "cuda") || !cuda.is_available()) return 1;
        return Math.Max(1, cuda.device_count());
    }
}
