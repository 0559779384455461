// Temporary for the text branch's own runs; the lead registers TokenBench in the real main.
TokenBench.main()
