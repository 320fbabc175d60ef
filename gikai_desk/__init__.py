"""gikai-desk: review 政府信息公开工作年度报告 tables, their 勾稽关系 and corrections."""

__version__ = "0.1.0"
