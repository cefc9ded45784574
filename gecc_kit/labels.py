"""Every text a participant reads outside the notebooks' Markdown: Thai and English.

Pages show Thai; ``?l=en`` in a page's link switches labels and titles to
English. Identifiers stay English. This module imports no widgets.
"""
from __future__ import annotations

__all__ = ["LABELS", "label", "pick", "LANGS"]

LANGS = ("th", "en")

# Every label a participant reads: (Thai, English).
LABELS = {
    "mandatory": ("ข้อจำเป็น", "Mandatory"),
    "weight": ("น้ำหนัก", "Weight"),
    "guidance": ("คำแนะนำ", "Guidance"),
    "evidence": ("ตัวอย่างหลักฐาน", "Evidence examples"),
    "act": ("อ้างอิงกฎหมาย", "Legal reference"),
    "note_placeholder": ("บันทึกหลักฐานหรือข้อสังเกต (บันทึกอัตโนมัติ)", "Evidence or remarks (saved automatically)"),
    "score_title": ("คะแนนด้านนี้", "Score for this factor"),
    "illustrative_suffix": (" (ตัวอย่าง)", " (illustrative)"),
    "level": ("ระดับที่ได้", "Level reached"),
    "no_level": ("ยังไม่ถึง{first}", "Below {first}"),
    "nothing_applicable": ("ทุกข้อไม่เกี่ยวข้อง จึงไม่มีคะแนนด้านนี้", "Every criterion is not applicable: nothing to score"),
    "mandatory_unmet": ("ข้อจำเป็นที่ยังไม่ผ่าน", "Mandatory criteria not yet met"),
    "unanswered": ("ยังไม่ได้ตอบ", "Unanswered"),
    "gaps_title": ("สิ่งที่ควรปรับปรุง (เรียงตามความสำคัญ)", "Gaps to close (most important first)"),
    "no_gaps": ("ยังไม่มีข้อที่ตอบว่ายังไม่ผ่านหรือผ่านบางส่วน", "No criterion answered 'not yet' or 'partly met' so far"),
    "saved": ("บันทึกแล้ว", "Saved"),
    "save_failed": ("บันทึกไม่สำเร็จ คำตอบบนจอกลับเป็นค่าที่บันทึกไว้ล่าสุด กรุณาตอบข้อนั้นอีกครั้ง หากยังไม่ได้ให้แจ้งวิทยากร", "Not saved: the screen shows the last saved answer again; please answer once more, and tell the facilitator if it persists"),
    "note_failed": ("บันทึกข้อความไม่สำเร็จ ข้อความยังอยู่บนจอ ระบบจะลองบันทึกอีกครั้งเมื่อพิมพ์ต่อ", "Note not saved yet: it stays on screen and is saved again as you type"),
    "hello": ("สวัสดี", "Hello"),
    "join_title": ("เข้าร่วมการฝึกประเมินตนเอง", "Join the practice self-assessment"),
    "join_welcome": ("กรอกชื่อเพื่อเริ่มทำแบบประเมิน ระบบจะสร้างลิงก์ส่วนตัวให้ท่านกลับมาทำต่อได้ทุกเมื่อ", "Enter your name to start; you get a personal link to come back to at any time."),
    "join_unknown": ("ไม่พบผู้เข้าร่วมจากลิงก์นี้ ลิงก์อาจพิมพ์ไม่ครบ ลองเปิดลิงก์ส่วนตัวอีกครั้ง หรือเข้าร่วมใหม่ด้านล่าง", "This link matches no participant. Check the link, or join again below."),
    "join_name": ("ชื่อที่แสดง", "Display name"),
    "join_office": ("หน่วยงาน", "Office"),
    "join_button": ("เริ่มทำแบบประเมิน", "Start"),
    "join_need_name": ("กรุณากรอกชื่อที่แสดงก่อน", "Please enter a display name first"),
    "join_too_long": ("ชื่อ หน่วยงาน หรือโต๊ะ ยาวเกิน 120 ตัวอักษร กรุณาย่อให้สั้นลง", "Name, office or table is longer than 120 characters; please shorten it"),
    "join_done": ("เข้าร่วมแล้ว กำลังเปิดแบบประเมินของท่าน หากหน้าไม่เปลี่ยนเอง กดลิงก์ส่วนตัวด้านล่าง", "Joined: opening your assessment. If the page does not change, open your personal link below."),
    "personal_link": ("ลิงก์ส่วนตัวของท่าน เก็บไว้เพื่อกลับมาทำต่อจากเดิมได้ทุกอุปกรณ์", "Your personal link: keep it to resume on any device"),
    "no_workshop": ("ลิงก์นี้ไม่มีรหัสการอบรม กรุณาขอลิงก์จากวิทยากร", "This link has no workshop code; ask the facilitator for the link."),
    "unknown_workshop": ("รหัสการอบรมในลิงก์นี้ไม่มีในระบบ กรุณาตรวจสอบลิงก์กับวิทยากร", "This link's workshop code is not known here; check the link with the facilitator."),
    "broken": ("ขออภัย ระบบขัดข้องชั่วคราว กรุณาโหลดหน้านี้ใหม่ หรือแจ้งวิทยากร", "Sorry, something went wrong. Reload the page or tell the facilitator."),
    # the journey
    "module_x_of_n": ("โมดูล {x} จาก {n}", "Module {x} of {n}"),
    "done": ("ทำแล้ว", "done"),
    "started": ("ทำไปบางส่วน", "started"),
    "switch_lang": ("English", "ภาษาไทย"),
    "next": ("ถัดไป", "Next"),
    "jump_to_exercise": ("ไปที่แบบฝึก", "Go to the exercise"),
    "jump_to_join": ("ยังไม่ได้เข้าร่วม: กรอกชื่อเพื่อเริ่ม", "Not joined yet: enter your name to start"),
    "next_module": ("ไปขั้นถัดไป: {title}", "Next: {title}"),
    "join_office_pick": ("เลือกหน่วยงาน", "Choose your office"),
    "join_office_other": ("อื่น ๆ (พิมพ์ชื่อหน่วยงาน)", "Other (type the office name)"),
    "join_office_other_name": ("ชื่อหน่วยงานของท่าน", "Your office's name"),
    "join_table": ("โต๊ะหรือกลุ่ม (ถ้ามี)", "Table or group (optional)"),
    "welcome_joined": ("ท่านเข้าร่วมแล้ว เลือกโมดูลด้านล่างเพื่อเริ่มหรือทำต่อ", "You have joined. Pick a module below to start or carry on."),
    "your_office": ("หน่วยงาน", "Office"),
    "your_table": ("โต๊ะ", "Table"),
    "modules": ("โมดูลของการอบรม", "Workshop modules"),
    # summary and plan
    "summary_scores": ("คะแนนรายด้าน", "Scores by factor"),
    "overall": ("ภาพรวม", "Overall"),
    "overall_level": ("ระดับภาพรวม", "Overall level"),
    "answered": ("ตอบแล้ว", "Answered"),
    "answered_of": ("ตอบแล้ว {answered} จาก {total} ข้อ", "{answered} of {total} answered"),
    "unanswered_hint": ("ยังมี {n} ข้อที่ยังไม่ได้ตอบ คะแนนจะครบเมื่อตอบทุกข้อ", "{n} criteria are unanswered; the score is complete once all are answered"),
    "thresholds": ("เส้นประคือเกณฑ์ระดับ", "Dashed lines: level thresholds"),
    "gaps_and_plan": ("สิ่งที่ควรปรับปรุง (เรียงตามความสำคัญ) และแผนพัฒนา", "Gaps (most important first) and the improvement plan"),
    "all_gaps": ("สิ่งที่ควรปรับปรุงทั้งหมด (เรียงตามความสำคัญ)", "All gaps (most important first)"),
    "plan_title": ("แผนพัฒนาปรับปรุง", "Improvement plan"),
    "plan_intro": ("ข้อที่ยังไม่ผ่านหรือผ่านบางส่วน เรียงข้อจำเป็นก่อน แล้วตามน้ำหนัก ติ๊ก \"ใส่ในแผน\" ในข้อที่จะปรับปรุง แล้วเขียนว่าจะทำอะไร ใครรับผิดชอบ เสร็จเมื่อไร และวัดผลอย่างไร ทุกช่องบันทึกอัตโนมัติ", "Criteria not yet or partly met, mandatory first, then by weight. Tick \"Add to plan\" on the ones to work on, then write the action, owner, due date and indicator. Every field saves automatically."),
    "plan_choose": ("ใส่ในแผน", "Add to plan"),
    "plan_action": ("สิ่งที่จะทำ", "Action"),
    "plan_owner": ("ผู้รับผิดชอบ", "Owner"),
    "plan_due": ("กำหนดเสร็จ", "Due date"),
    "plan_indicator": ("ตัวชี้วัดความสำเร็จ", "Indicator"),
    "plan_no_gaps": ("ยังไม่มีข้อที่ตอบว่ายังไม่ผ่านหรือผ่านบางส่วน จึงยังไม่มีอะไรให้วางแผน", "No gap answered yet, so there is nothing to plan"),
    "plan_now_met": ("ข้อนี้ตอนนี้ตอบว่าผ่านแล้ว", "This criterion is now answered as met"),
    "plan_failed": ("บันทึกแผนไม่สำเร็จ หน้าจอกลับเป็นค่าที่บันทึกไว้ล่าสุด กรุณาลองอีกครั้ง หากยังไม่ได้ให้แจ้งวิทยากร", "The plan was not saved: the screen shows the last saved value; try again, and tell the facilitator if it persists"),
    "plan_due_be": ("ปีที่เลือกดูเหมือนเป็นปี พ.ศ. ช่องวันที่ใช้ปี ค.ศ. (พ.ศ. ลบ 543) กรุณาเลือกใหม่", "That year looks like a Buddhist-era year; the date box takes the Gregorian year (B.E. minus 543)"),
    "plan_too_long": ("ข้อความยาวเกินไป ระบบไม่ได้บันทึก กรุณาย่อให้สั้นลง", "Too long to save; please shorten it"),
    "downloads": ("ดาวน์โหลด", "Downloads"),
    "prepare_downloads": ("สร้างไฟล์ล่าสุด", "Prepare the latest files"),
    "my_report": ("รายงานของฉัน (HTML)", "My report (HTML)"),
    "my_plan": ("แผนของฉัน (Excel)", "My plan (Excel)"),
    "downloads_ready": ("ไฟล์พร้อมแล้ว ณ {time} กดลิงก์เพื่อดาวน์โหลด", "Files ready at {time}: click to download"),
    "factor": ("ด้าน", "Factor"),
    "criterion": ("เกณฑ์", "Criterion"),
    "status": ("สถานะ", "Status"),
    "note": ("บันทึก", "Note"),
    "score": ("คะแนน", "Score"),
    "report_title": ("รายงานผลการฝึกประเมินตนเอง ศูนย์ราชการสะดวก (GECC)", "GECC practice self-assessment report"),
    "report_for": ("ของ", "for"),
    "report_date": ("วันที่", "Date"),
    # knowledge check
    "pre": ("ก่อนการอบรม (Pre-test)", "Before the session (pre-test)"),
    "post": ("หลังการอบรม (Post-test)", "After the session (post-test)"),
    "quiz_progress": ("ตอบแล้ว {answered} จาก {total} ข้อ", "{answered} of {total} answered"),
    "quiz_score": ("คะแนน {correct} จาก {total}", "Score {correct} of {total}"),
    "quiz_post_locked": ("ทำแบบทดสอบก่อนการอบรมให้ครบทุกข้อก่อน แล้วส่วนหลังการอบรมจะเปิด", "Finish the pre-test first; the post-test opens then"),
    "quiz_pre_closed": ("เริ่มทำแบบทดสอบหลังการอบรมแล้ว คำตอบก่อนการอบรมจึงแก้ไม่ได้", "The post-test has started, so the pre-test answers are fixed"),
    "quiz_gain": ("คะแนนหลังเทียบกับก่อนการอบรม {gain:+d} ข้อ", "Change from pre- to post-test: {gain:+d}"),
    "quiz_explanations": ("เฉลยและคำอธิบาย", "Answers and explanations"),
    "quiz_right_answer": ("คำตอบที่ถูก", "Right answer"),
    "quiz_your_answers": ("คำตอบของท่าน ก่อน / หลัง", "Your answers, pre / post"),
    "quiz_no_questions": ("ยังไม่มีคำถามในแบบทดสอบ กรุณาแจ้งวิทยากร", "The knowledge check has no questions; tell the facilitator"),
}


def pick(th: str, en: str, lang: str) -> str:
    """The English text when asked for and present, else the Thai."""
    return en if lang == "en" and en else th


def label(key: str, lang: str = "th", **values) -> str:
    """The label in Thai (``"th"``) or English (``"en"``), with ``values`` filled in."""
    text = pick(*LABELS[key], lang)
    return text.format(**values) if values else text
