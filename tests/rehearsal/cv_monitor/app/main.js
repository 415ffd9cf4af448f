console.log("EmpMonitor");
