namespace UniAD.Lab.Persistence;

public enum RunStatus { Queued, Running, Finished, Failed, Cancelled }
