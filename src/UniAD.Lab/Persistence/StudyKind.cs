namespace UniAD.Lab.Persistence;

public enum StudyKind { Ablation, Sweep }
