import matplotlib

# Tests draw without a screen. (Set in-process only: an MPLBACKEND environment variable
# would leak into the notebook kernels nbval starts and change their outputs.)
matplotlib.use("Agg")
